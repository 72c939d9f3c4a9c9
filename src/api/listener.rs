//! The API's listener: plain TCP on loopback, or TLS (rustls, the configured certificate
//! chain and key) with handshakes done off the accept loop so a slow client never holds up
//! the others.

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

/// A handshake that takes longer than this is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server side of TLS from PEM text.
pub fn server_config(cert_pem: &str, key_pem: &str) -> Result<Arc<ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("TLS Certificate: {e}"))?;
    if certs.is_empty() {
        return Err("TLS Certificate: no certificate in the PEM text".to_owned());
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| format!("TLS Key: {e}"))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS Certificate and Key do not make a usable pair: {e}"))?;
    Ok(Arc::new(config))
}

/// A connection, plain or TLS.
pub trait Connection: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Connection for T {}

/// The peer of a connection (what `/metrics` asks: is it loopback?).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, ApiListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, ApiListener>) -> Self {
        *stream.remote_addr()
    }
}

/// Accepts TCP connections and hands on each one (for TLS, once its handshake succeeded).
pub struct ApiListener {
    ready: mpsc::Receiver<(Box<dyn Connection>, Peer)>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl ApiListener {
    /// Serves `tcp`, with TLS when `tls` is given.
    pub fn new(tcp: TcpListener, tls: Option<Arc<ServerConfig>>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel::<(Box<dyn Connection>, Peer)>(64);
        let acceptor = tls.map(TlsAcceptor::from);
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, then go on.
                        tracing::warn!(error = %e, "the API could not accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let Some(acceptor) = acceptor.clone() else {
                    if sender.send((Box::new(stream), Peer(peer))).await.is_err() {
                        return;
                    }
                    continue;
                };
                let sender = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((Box::new(tls), Peer(peer))).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            ready,
            local,
            accepting,
        })
    }
}

impl Drop for ApiListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl Listener for ApiListener {
    type Io = Box<dyn Connection>;
    type Addr = Peer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(ready) => ready,
            // The accept loop only ends with the listener itself.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(Peer(self.local))
    }
}
