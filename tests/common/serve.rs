//! Starts a test peer's axum app on a free 127.0.0.1 port.

use std::sync::{Arc, Mutex};

/// Serves `app` on 127.0.0.1 with `state` and answers its base URL.
pub async fn serve<S: Send + Sync + 'static>(
    app: axum::Router<Arc<Mutex<S>>>,
    state: &Arc<Mutex<S>>,
) -> String {
    let app = app.with_state(Arc::clone(state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    endpoint
}
