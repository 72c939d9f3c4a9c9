//! File choosers on a worker thread, so the window keeps drawing while one is open; the
//! answer arrives on a channel and wakes the window.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

/// Which chooser.
pub enum Chooser {
    /// Pick an existing file.
    Open {
        /// Dialog title.
        title: String,
    },
    /// Choose where to write, proposing a name.
    Save {
        /// Dialog title.
        title: String,
        /// Proposed file name.
        file_name: String,
    },
}

/// Shows the chooser on a worker thread; `None` arrives when it was cancelled.
pub fn choose(ctx: &egui::Context, chooser: Chooser) -> Receiver<Option<PathBuf>> {
    let (tx, rx) = channel();
    let ctx = ctx.clone();
    std::thread::spawn(move || {
        let choice = match chooser {
            Chooser::Open { title } => rfd::FileDialog::new().set_title(title).pick_file(),
            Chooser::Save { title, file_name } => rfd::FileDialog::new()
                .set_title(title)
                .set_file_name(file_name)
                .save_file(),
        };
        // The receiver is gone only if the window closed meanwhile; nothing to do then.
        let _ = tx.send(choice);
        ctx.request_repaint();
    });
    rx
}

/// A file name with the current time, e.g. `pooladmin-backup-20261128-081500.sqlite`.
pub fn stamped(prefix: &str, extension: &str) -> String {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    format!("{prefix}-{stamp}.{extension}")
}
