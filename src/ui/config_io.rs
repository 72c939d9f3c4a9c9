//! File → Export configuration… / Import configuration…: the command line's export and
//! import from the window. An import is always previewed (a dry run) before it is applied.

use super::file_dialog::{Chooser, choose, stamped};
use super::promise::{Promise, take};
use super::store_worker::StoreWorker;
use crate::config_file::import::Change;
use crate::config_file::{
    ConfigFile, ExportScope, ImportError, ImportOptions, ImportReport, export, import, parse_at,
};
use crate::model::Secret;
use crate::store::Store;
use egui::{Id, Key, Modifiers, RichText, Ui};
use egui_notify::Toasts;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file read and checked, waiting for the administrator's word.
struct Preview {
    path: PathBuf,
    file: Option<ConfigFile>,
    outcome: Result<ImportReport, String>,
}

/// State of the export and import actions. The database work (export, the dry run, the
/// import) runs on the window's database thread on a server, at once on a file.
#[derive(Default)]
pub struct ConfigIo {
    export_to: Option<Promise<Option<PathBuf>>>,
    import_from: Option<Promise<Option<PathBuf>>>,
    exporting: Option<Promise<Result<PathBuf, String>>>,
    // A lost dry run shows nothing; the window says its database thread ended.
    previewing: Option<Promise<Option<Preview>>>,
    preview: Option<Preview>,
    importing: Option<Promise<Result<ImportReport, String>>>,
}

/// What an export or import whose database thread ended says.
const LOST: &str = "no answer came back from the window's database thread";

/// The passphrase that seals or opens secrets in configuration files, when set.
fn passphrase() -> Option<Secret> {
    std::env::var("POOLADMIN_EXPORT_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

impl ConfigIo {
    /// Asks where to write the configuration (without secrets).
    pub fn start_export(&mut self, ctx: &egui::Context) {
        self.export_to = Some(choose(
            ctx,
            Chooser::Save {
                title: "Export the pooladmin configuration".to_owned(),
                file_name: stamped("pooladmin-config", "json"),
            },
        ));
    }

    /// Asks which configuration file to import.
    pub fn start_import(&mut self, ctx: &egui::Context) {
        self.import_from = Some(choose(
            ctx,
            Chooser::Open {
                title: "Import a pooladmin configuration".to_owned(),
            },
        ));
    }

    /// Finishes what the choosers started and shows the import preview; true when the
    /// store changed.
    pub fn ui(
        &mut self,
        ui: &Ui,
        store: &mut Store,
        worker: Option<&StoreWorker>,
        toasts: &mut Toasts,
    ) -> bool {
        if let Some(path) = take(&mut self.export_to, || None).flatten() {
            self.exporting = Some(StoreWorker::run_or_here(worker, store, move |store| {
                let text = export(store, None, ExportScope::Configuration)?;
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                Ok(path)
            }));
        }
        if let Some(written) = take(&mut self.exporting, || Err(LOST.to_owned())) {
            match written {
                Ok(path) => toasts.success(format!("Configuration exported to {}", path.display())),
                Err(e) => toasts.error(format!("Export failed: {e}")),
            }
            .duration(Some(Duration::from_secs(5)));
        }
        if let Some(path) = take(&mut self.import_from, || None).flatten() {
            self.previewing = Some(StoreWorker::run_or_here(worker, store, move |store| {
                Some(preview(store, path))
            }));
        }
        if let Some(preview) = take(&mut self.previewing, || None) {
            self.preview = preview;
        }
        self.preview_ui(ui, store, worker, toasts)
    }

    fn preview_ui(
        &mut self,
        ui: &Ui,
        store: &mut Store,
        worker: Option<&StoreWorker>,
        toasts: &mut Toasts,
    ) -> bool {
        let Some(preview) = &self.preview else {
            return false;
        };
        let ctx = ui.ctx().clone();
        let name = preview.path.file_name().map_or_else(
            || preview.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut apply = false;
        let mut close = false;
        let importing = self.importing.is_some();
        egui::Modal::new(Id::unique("import-preview")).show(&ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(format!("Import {name}"));
            match &preview.outcome {
                Err(problems) => {
                    ui.label(
                        RichText::new("The file cannot be imported; nothing was written:").strong(),
                    );
                    egui::ScrollArea::vertical()
                        .max_height(320.0)
                        .show(ui, |ui| {
                            ui.label(RichText::new(problems).color(ui.visuals().error_fg_color));
                        });
                    close = ui.button("Close").clicked();
                }
                Ok(report) if !report.writes() => {
                    ui.label("The database already matches this file: nothing to change.");
                    close = ui.button("Close").clicked();
                }
                Ok(report) => {
                    ui.label(format!("This import will write: {}.", report.summary()));
                    egui::ScrollArea::vertical()
                        .max_height(320.0)
                        .show(ui, |ui| {
                            for change in report
                                .changes
                                .iter()
                                .filter(|c| c.change != Change::Unchanged)
                            {
                                ui.label(format!(
                                    "{:?} {} {}",
                                    change.change, change.kind, change.name
                                ));
                            }
                        });
                    ui.horizontal(|ui| {
                        if importing {
                            ui.spinner();
                            ui.label("Importing… the database has not answered yet.");
                        } else {
                            apply = ui.button("Import").clicked();
                            close = ui.button("Cancel").clicked();
                        }
                    });
                }
            }
        });
        if !importing && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            close = true;
        }
        if apply && let Some(file) = preview.file.clone() {
            self.importing = Some(StoreWorker::run_or_here(worker, store, move |store| {
                import(
                    store,
                    &file,
                    passphrase().as_ref(),
                    ImportOptions::default(),
                )
                .map_err(|e| e.to_string())
            }));
        }
        let mut changed = false;
        if let Some(imported) = take(&mut self.importing, || Err(LOST.to_owned())) {
            match imported {
                Ok(report) => {
                    changed = true;
                    toasts
                        .success(format!("Imported {name}: {}", report.summary()))
                        .duration(Some(Duration::from_secs(5)));
                }
                Err(e) => {
                    toasts.error(format!("Import of {name} failed: {e}"));
                }
            }
            close = true;
        }
        if close {
            self.preview = None;
        }
        changed
    }
}

/// Reads, parses and dry-runs a file.
fn preview(store: &mut Store, path: PathBuf) -> Preview {
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            return Preview {
                outcome: Err(format!("{}: {e}", path.display())),
                path,
                file: None,
            };
        }
    };
    let dry_run = ImportOptions {
        dry_run: true,
        prune: false,
    };
    match parse_at(&text, path.parent().unwrap_or(Path::new("."))) {
        Ok(file) => Preview {
            outcome: import(store, &file, passphrase().as_ref(), dry_run).map_err(|e| problems(&e)),
            file: Some(file),
            path,
        },
        Err(e) => Preview {
            outcome: Err(problems(&e)),
            file: None,
            path,
        },
    }
}

fn problems(error: &ImportError) -> String {
    match error {
        ImportError::Invalid(problems) => problems.join("\n"),
        ImportError::Refused(reason) => reason.clone(),
    }
}
