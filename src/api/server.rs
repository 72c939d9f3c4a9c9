//! Starting and stopping the API: loopback unless TLS is configured, one server at a time,
//! started again whenever its settings change.

use super::connection::{Closed, serve};
use super::connection_limits::{Admission, ConnectionLimits};
use super::listener::{ApiListener, server_config};
use super::router::router;
use super::state::{ApiState, Wake};
use crate::model::api_settings::ApiSettings;
use crate::scaler::gauges::ScalerGauges;
use crate::store::Store;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

/// How often answered heartbeats are written.
const HEARTBEAT_FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Requests in flight get this long to finish when the API stops.
const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where the API stands, for the API page and the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ApiStatus {
    /// Not enabled.
    #[default]
    Off,
    /// Serving at this base URL.
    Listening(String),
    /// Enabled but could not start (the reason).
    Failed(String),
}

/// A running API server.
pub struct RunningApi {
    /// The address it listens on (the port the system chose, for port 0).
    pub local_addr: SocketAddr,
    /// The base URL clients use.
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningApi {
    /// Stops accepting, lets requests in flight finish, and waits for that.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Serves the API on `store` with `settings`. Refuses an address other machines can reach
/// unless TLS is configured.
pub async fn start_api(
    store: Store,
    settings: &ApiSettings,
    wake: Wake,
    gauges: Arc<ScalerGauges>,
) -> Result<RunningApi, String> {
    let listen = settings.listen;
    if !listen.ip().is_loopback() && !settings.uses_tls() {
        return Err(format!(
            "the API will not listen on {listen} without TLS: other machines could reach it in clear; give a TLS certificate and key on the API page, or listen on 127.0.0.1"
        ));
    }
    let tls = if settings.uses_tls() {
        Some(server_config(
            &settings.tls_cert,
            settings.tls_key.expose(),
        )?)
    } else {
        None
    };
    let tcp = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("the API cannot listen on {listen}: {e}"))?;
    let local_addr = tcp
        .local_addr()
        .map_err(|e| format!("the API cannot listen on {listen}: {e}"))?;
    let state = Arc::new(ApiState::new(store, settings.rate_limit, wake, gauges));
    let app = router(Arc::clone(&state));
    let (stop, stopped) = oneshot::channel::<()>();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let admission = Admission::new(ConnectionLimits::from_setting(settings.max_connections));
    state.connections.watch(Arc::clone(&admission));
    let listener = ApiListener::new(tcp, tls, admission)
        .map_err(|e| format!("the API cannot listen on {listen}: {e}"))?;
    let task = tokio::spawn(async move {
        let flusher = {
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(HEARTBEAT_FLUSH_EVERY);
                loop {
                    every.tick().await;
                    state.flush_heartbeats().await;
                }
            })
        };
        serve_until(listener, app, &state, stopped).await;
        flusher.abort();
        // What was answered is written before the API is gone.
        state.flush_heartbeats().await;
    });
    Ok(RunningApi {
        local_addr,
        url: format!("{scheme}://{local_addr}"),
        stop: Some(stop),
        task,
    })
}

/// Serves each connection `listener` hands on in a task of its own until `stopped`; then
/// stops accepting and gives requests in flight [`DRAIN_TIMEOUT`] to finish.
async fn serve_until(
    mut listener: ApiListener,
    app: axum::Router,
    state: &Arc<ApiState>,
    mut stopped: oneshot::Receiver<()>,
) {
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            (io, peer, admitted) = listener.accept() => {
                connections.spawn(serve(io, peer, admitted, app.clone(), stopping.clone()));
            }
            Some(closed) = connections.join_next(), if !connections.is_empty() => {
                state.connections.closed(closed.unwrap_or(Closed::Normally));
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "the API stopped with requests still in flight"
        );
        connections.abort_all();
    }
}

/// Keeps the API as its stored settings say (with `listen` overriding the address and
/// enabling it, for `headless --listen`), starting it again whenever `reload` changes, until
/// `reload`'s sender is gone. `status` always holds where it stands.
pub async fn supervise(
    store: Store,
    listen: Option<SocketAddr>,
    wake: Wake,
    gauges: Arc<ScalerGauges>,
    mut reload: watch::Receiver<u64>,
    status: Arc<Mutex<ApiStatus>>,
) {
    let set = |s: ApiStatus| *status.lock().unwrap_or_else(|e| e.into_inner()) = s;
    loop {
        let mut running = None;
        match store.api_settings() {
            Err(e) => set(ApiStatus::Failed(format!(
                "the API settings cannot be read: {e}"
            ))),
            Ok(mut settings) => {
                if let Some(listen) = listen {
                    settings.listen = listen;
                    settings.enabled = true;
                }
                if !settings.enabled {
                    set(ApiStatus::Off);
                } else {
                    let started = match store.sibling() {
                        Ok(own) => {
                            start_api(own, &settings, Arc::clone(&wake), Arc::clone(&gauges)).await
                        }
                        Err(e) => Err(format!("the API cannot open the database: {e}")),
                    };
                    match started {
                        Ok(api) => {
                            tracing::info!(url = %api.url, "API listening");
                            set(ApiStatus::Listening(api.url.clone()));
                            running = Some(api);
                        }
                        Err(reason) => {
                            tracing::error!("{reason}");
                            set(ApiStatus::Failed(reason));
                        }
                    }
                }
            }
        }
        let more = reload.changed().await.is_ok();
        if let Some(api) = running {
            api.stop().await;
        }
        if !more {
            set(ApiStatus::Off);
            return;
        }
    }
}

/// The window's hold on the API running beside its scaler: where it stands, and a way to
/// start it again after its settings were saved. Dropping it stops the API.
pub struct ApiControl {
    reload: watch::Sender<u64>,
    status: Arc<Mutex<ApiStatus>>,
    overridden: bool,
}

impl ApiControl {
    /// Runs the API on `runtime` (the scaler's) with its own connection to `store`;
    /// `listen` overrides the stored address and enables it (the demo's loopback port).
    pub fn start(
        runtime: &tokio::runtime::Handle,
        store: Store,
        listen: Option<SocketAddr>,
        wake: Wake,
        gauges: Arc<ScalerGauges>,
    ) -> Self {
        let (reload, reload_rx) = watch::channel(0u64);
        let status = Arc::new(Mutex::new(ApiStatus::Off));
        runtime.spawn(supervise(
            store,
            listen,
            wake,
            gauges,
            reload_rx,
            Arc::clone(&status),
        ));
        Self {
            reload,
            status,
            overridden: listen.is_some(),
        }
    }

    /// Whether the address was set at start (the demo's port), not by the stored settings.
    pub fn overridden(&self) -> bool {
        self.overridden
    }

    /// Starts the API again with its stored settings.
    pub fn reload(&self) {
        self.reload.send_modify(|n| *n += 1);
    }

    /// Where the API stands.
    pub fn status(&self) -> ApiStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A reader of the URL the API listens at (none while it does not).
    pub fn listening_url(&self) -> Arc<dyn Fn() -> Option<String> + Send + Sync> {
        listening_url(Arc::clone(&self.status))
    }
}

/// A reader of the URL `status` says the API listens at.
pub fn listening_url(
    status: Arc<Mutex<ApiStatus>>,
) -> Arc<dyn Fn() -> Option<String> + Send + Sync> {
    Arc::new(
        move || match &*status.lock().unwrap_or_else(|e| e.into_inner()) {
            ApiStatus::Listening(url) => Some(url.clone()),
            ApiStatus::Off | ApiStatus::Failed(_) => None,
        },
    )
}
