//! One client connection, served by hyper's HTTP/1 server and watched: a connection that
//! sends half a request head, stays silent between requests, or holds a request open is
//! closed when its phase's time is up, so silent clients cannot hold the process's file
//! descriptors. The body's own limit is applied where it is read (after authentication,
//! [`super::body::read_body`]).

use super::connection_limits::Admitted;
use super::listener::{Connection, Peer};
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tower::ServiceExt;

/// A request head must arrive whole within this, from its first byte.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A request body must arrive whole within this, from the end of its head.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// A kept-alive connection may wait this long for its next request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A request, body and answer, is done within this or its connection is closed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a connection stands, and since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the first byte of a request.
    Idle,
    /// A request head is arriving.
    Head,
    /// A request is being read and answered.
    Busy,
}

impl Phase {
    fn limit(self) -> Duration {
        match self {
            Phase::Idle => IDLE_TIMEOUT,
            Phase::Head => HEAD_TIMEOUT,
            Phase::Busy => REQUEST_TIMEOUT,
        }
    }
}

/// The phase of one connection, shared by its reader, its service and its watch, which is
/// told of every change (its deadline moves with the phase).
#[derive(Debug)]
struct Activity {
    phase: Mutex<(Phase, Instant)>,
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            phase: Mutex::new((Phase::Idle, Instant::now())),
            changed: Notify::new(),
        }
    }

    fn set(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner()) = (phase, Instant::now());
        self.changed.notify_one();
    }

    /// Bytes came in: the start of a request head, unless one is already under way.
    fn bytes_arrived(&self) {
        let mut at = self.phase.lock().unwrap_or_else(|e| e.into_inner());
        if at.0 == Phase::Idle {
            *at = (Phase::Head, Instant::now());
            drop(at);
            self.changed.notify_one();
        }
    }

    /// When the current phase's time is up.
    fn deadline(&self) -> Instant {
        let (phase, since) = *self.phase.lock().unwrap_or_else(|e| e.into_inner());
        since + phase.limit()
    }
}

/// The connection's stream, noting when bytes arrive.
struct Watched {
    inner: Box<dyn Connection>,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// How a connection ended, for the API's counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// The client closed it, or the API stopped.
    Normally,
    /// Its phase's time ran out.
    TimedOut,
}

/// Serves `io` from `peer` with `app` until the client closes it, its time is up, or `stop`
/// turns true (requests in flight are finished first). `admitted` is its place under the
/// connection caps, given back when this returns.
pub async fn serve(
    io: Box<dyn Connection>,
    peer: Peer,
    admitted: Admitted,
    app: Router,
    mut stop: watch::Receiver<bool>,
) -> Closed {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: io,
        activity: Arc::clone(&activity),
    });
    let service = {
        let activity = Arc::clone(&activity);
        hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            activity.set(Phase::Busy);
            request.extensions_mut().insert(ConnectInfo(peer));
            let (activity, app) = (Arc::clone(&activity), app.clone());
            async move {
                let answer = app.oneshot(request).await;
                activity.set(Phase::Idle);
                answer
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The watch above times the head (hyper's own head timer would also cut idle
    // keep-alive connections at the head's 10 s).
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut stopping = *stop.borrow();
    if stopping {
        connection.as_mut().graceful_shutdown();
    }
    let closed = loop {
        let deadline = activity.deadline();
        tokio::select! {
            _ = connection.as_mut() => break Closed::Normally,
            () = tokio::time::sleep_until(deadline) => {
                if activity.deadline() <= Instant::now() {
                    break Closed::TimedOut;
                }
            }
            // The phase changed: its deadline is looked at again.
            () = activity.changed.notified() => {}
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_err() || *stop.borrow() {
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    };
    drop(admitted);
    closed
}
