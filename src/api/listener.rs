//! The API's listener: plain TCP on loopback, or TLS (rustls, the configured certificate
//! chain and key) with handshakes done off the accept loop so a slow client never holds up
//! the others. Every connection is admitted under the connection caps first
//! ([`super::connection_limits`]); one over them is closed at once.

use super::connection_limits::{Admission, Admitted, Refusal};
use super::repeated_warning::RepeatedWarning;
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

/// A connection ready to be served: its stream, its peer, its place under the caps.
pub type Ready = (Box<dyn Connection>, Peer, Admitted);

/// Failures to accept (out of file descriptors and the like), logged once an interval.
static ACCEPT_FAILED: RepeatedWarning =
    RepeatedWarning::new("the API could not accept a connection");
/// Connections closed at once for being over a cap, logged once an interval.
static REFUSED: RepeatedWarning =
    RepeatedWarning::new("the API refused a connection over its connection cap");

/// Accepts TCP connections under the connection caps and hands on each one (for TLS, once
/// its handshake succeeded).
pub struct ApiListener {
    ready: mpsc::Receiver<Ready>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl ApiListener {
    /// Serves `tcp`, with TLS when `tls` is given, admitting connections through
    /// `admission`: one over a cap is closed at once, never queued.
    pub fn new(
        tcp: TcpListener,
        tls: Option<Arc<ServerConfig>>,
        admission: Arc<Admission>,
    ) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel::<Ready>(64);
        let acceptor = tls.map(TlsAcceptor::from);
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, then go on.
                        ACCEPT_FAILED.note(&e);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let admitted = match admission.admit(peer.ip()) {
                    Ok(admitted) => admitted,
                    Err(refusal) => {
                        // Dropping the stream closes it: the client learns at once.
                        let cap = match refusal {
                            Refusal::Total => "in all",
                            Refusal::Address => "from one address",
                        };
                        REFUSED.note(&format_args!("{peer}, over the cap {cap}"));
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let Some(acceptor) = acceptor.clone() else {
                    if sender
                        .send((Box::new(stream), Peer(peer), admitted))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    continue;
                };
                let sender = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((Box::new(tls), Peer(peer), admitted)).await;
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

    /// The next connection ready to be served.
    pub async fn accept(&mut self) -> Ready {
        match self.ready.recv().await {
            Some(ready) => ready,
            // The accept loop only ends with the listener itself.
            None => std::future::pending().await,
        }
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

impl Drop for ApiListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}
