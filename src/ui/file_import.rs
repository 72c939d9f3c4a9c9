//! Import… buttons: read a key, certificate or credentials file into a field. The file
//! chooser and the read run on a worker thread; the text arrives on a later frame.

use egui::{Id, Ui};
use std::sync::{Arc, Mutex};

/// What a worker hands back: the file's text, or why it could not be read.
type Slot = Arc<Mutex<Option<Result<String, String>>>>;

/// Largest file an Import… button reads: keys and certificates are a few KB.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// An Import… button beside the field labelled `label`; fills `value` when a file arrives.
pub fn import_button(ui: &mut Ui, label: &str, value: &mut String) {
    let id = Id::unique(("import", label));
    let slot: Option<Slot> = ui.data(|d| d.get_temp(id));
    if let Some(slot) = &slot {
        let arrived = slot.lock().ok().and_then(|mut s| s.take());
        match arrived {
            Some(Ok(text)) => {
                *value = text;
                ui.data_mut(|d| d.remove::<Slot>(id));
            }
            Some(Err(problem)) => {
                ui.data_mut(|d| d.remove::<Slot>(id));
                // An empty problem is a cancelled chooser: nothing to say.
                if !problem.is_empty() {
                    ui.data_mut(|d| d.insert_temp(id.with("error"), problem));
                }
            }
            None => {}
        }
    }
    let busy = ui.data(|d| d.get_temp::<Slot>(id)).is_some();
    ui.horizontal(|ui| {
        let button = ui
            .add_enabled(!busy, egui::Button::new("Import…").small())
            .on_hover_text(format!("Read {label} from a file"));
        if button.clicked() {
            ui.data_mut(|d| d.remove::<String>(id.with("error")));
            let slot: Slot = Arc::default();
            ui.data_mut(|d| d.insert_temp(id, slot.clone()));
            spawn_chooser(ui.ctx().clone(), label.to_owned(), slot);
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

fn spawn_chooser(ctx: egui::Context, label: String, slot: Slot) {
    std::thread::spawn(move || {
        let outcome = match rfd::FileDialog::new()
            .set_title(format!("Import {label}"))
            .pick_file()
        {
            // Cancelled: nothing changes.
            None => Err(String::new()),
            Some(path) => read_small_text(&path),
        };
        if let Ok(mut s) = slot.lock() {
            *s = Some(outcome);
        }
        ctx.request_repaint();
    });
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
