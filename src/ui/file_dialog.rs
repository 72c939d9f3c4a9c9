//! File choosers on a worker thread, so the window keeps drawing while one is open; the
//! answer arrives as a [`Promise`] and wakes the window.

use super::promise::Promise;
use std::path::PathBuf;

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
pub fn choose(ctx: &egui::Context, chooser: Chooser) -> Promise<Option<PathBuf>> {
    Promise::spawn(ctx, move || match chooser {
        Chooser::Open { title } => rfd::FileDialog::new().set_title(title).pick_file(),
        Chooser::Save { title, file_name } => rfd::FileDialog::new()
            .set_title(title)
            .set_file_name(file_name)
            .save_file(),
    })
}

/// A file name with the current time, e.g. `pooladmin-backup-20261128-081500.sqlite`.
pub fn stamped(prefix: &str, extension: &str) -> String {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    format!("{prefix}-{stamp}.{extension}")
}
