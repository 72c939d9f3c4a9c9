//! Import… buttons: read a key, certificate or credentials file into a field. The file
//! chooser and the read run on a worker thread; the text arrives on a later frame.

use super::promise::{Poll, Promise};
use egui::{Id, Ui};
use std::sync::{Arc, Mutex};

/// What a worker hands back: the file's text, or why it could not be read; `None` when the
/// chooser was cancelled. Shared, as the window's temporary data keeps it between frames.
type Slot = Arc<Mutex<Promise<Option<Result<String, String>>>>>;

/// Largest file an Import… button reads: keys and certificates are a few KB.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// An Import… button beside the field labelled `label`; fills `value` when a file arrives.
pub fn import_button(ui: &mut Ui, label: &str, value: &mut String) {
    let id = Id::unique(("import", label));
    let slot: Option<Slot> = ui.data(|d| d.get_temp(id));
    if let Some(slot) = &slot {
        let arrived = match slot.lock() {
            Ok(promise) => promise.poll(),
            Err(_) => Poll::Lost,
        };
        match arrived {
            Poll::Pending => {}
            Poll::Ready(answer) => {
                ui.data_mut(|d| d.remove::<Slot>(id));
                match answer {
                    Some(Ok(text)) => *value = text,
                    Some(Err(problem)) => {
                        ui.data_mut(|d| d.insert_temp(id.with("error"), problem));
                    }
                    // Cancelled: nothing changes, nothing to say.
                    None => {}
                }
            }
            Poll::Lost => {
                ui.data_mut(|d| d.remove::<Slot>(id));
                let problem = "the file chooser stopped unexpectedly".to_owned();
                ui.data_mut(|d| d.insert_temp(id.with("error"), problem));
            }
        }
    }
    let busy = ui.data(|d| d.get_temp::<Slot>(id)).is_some();
    ui.horizontal(|ui| {
        let button = ui
            .add_enabled(!busy, egui::Button::new("Import…").small())
            .on_hover_text(format!("Read {label} from a file"));
        if button.clicked() {
            ui.data_mut(|d| d.remove::<String>(id.with("error")));
            let slot: Slot = Arc::new(Mutex::new(spawn_chooser(ui.ctx(), label.to_owned())));
            ui.data_mut(|d| d.insert_temp(id, slot));
        }
        if let Some(problem) = ui.data(|d| d.get_temp::<String>(id.with("error"))) {
            ui.label(
                egui::RichText::new(problem)
                    .color(ui.visuals().error_fg_color)
                    .small(),
            );
        }
    });
}

fn spawn_chooser(ctx: &egui::Context, label: String) -> Promise<Option<Result<String, String>>> {
    Promise::spawn(ctx, move || {
        rfd::FileDialog::new()
            .set_title(format!("Import {label}"))
            .pick_file()
            .map(|path| read_small_text(&path))
    })
}

/// Reads a text file of at most [`MAX_FILE_BYTES`].
pub fn read_small_text(path: &std::path::Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{} is {size} bytes; expected a key or certificate file",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}
