//! The signals that stop `headless` and `agent`.

use anyhow::{Context, Result};

/// Waits for SIGINT (Ctrl-C) or SIGTERM.
pub async fn wait_for_stop_signal() -> Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            signal = tokio::signal::ctrl_c() => signal.context("listening for SIGINT")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("listening for Ctrl-C")?;
    Ok(())
}
