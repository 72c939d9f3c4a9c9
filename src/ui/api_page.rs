//! The API page (Settings): where pooladmin's HTTP API listens, its TLS, how long a silent
//! host is trusted, and the portal keys (made here and shown once, revoked at once).

use super::command::UiCommand;
use super::confirm::{Action, Confirm};
use super::context::PageContext;
use super::form::{checkbox_row, code_row, error_of, form_grid, text_row};
use super::shown_once::ShownOnce;
use super::store_answer::StoreAnswer;
use super::table::local_time;
use crate::api::connection_limits::ConnectionLimits;
use crate::api::{ApiControl, ApiStatus};
use crate::model::api_settings::{ApiSettings, ApiSettingsDraft};
use crate::model::field::ApiSettingsField;
use crate::model::host_health::report_age;
use crate::model::{Secret, ValidationErrors};
use crate::store::{ApiKeyRow, KeyRights};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

/// State of the API page.
#[derive(Default)]
pub struct ApiPage {
    /// The settings form as typed; read from the store on first show.
    draft: Option<ApiSettingsDraft>,
    errors: Option<ValidationErrors>,
    reveal_key: bool,
    key_name: String,
    key_read_only: bool,
    /// Pool names, separated by commas; empty: every pool.
    key_pools: String,
    key_error: Option<String>,
    keys: Vec<ApiKeyRow>,
    keys_generation: Option<u64>,
    save: StoreAnswer<()>,
    read_settings: StoreAnswer<ApiSettings>,
    read_keys: StoreAnswer<Vec<ApiKeyRow>>,
    // The key being created, and what the dialog that shows it once says of its rights.
    create_key: StoreAnswer<Secret>,
    created_rights: String,
}

impl ApiPage {
    /// Draws the page; the context has the running API's control, when a scaler runs
    /// beside the window.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let api = ctx.api;
        ui.heading("API");
        ui.label(
            "Hosts check in and report through it; portals start and end sessions with a key.",
        );
        status_line(ui, api);
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("api-page")
            .show(ui, |ui| {
                self.settings_ui(ui, ctx, api);
                ui.add_space(12.0);
                ui.separator();
                self.keys_ui(ui, ctx);
            });
    }

    fn settings_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>, api: Option<&ApiControl>) {
        if self.draft.is_none() {
            self.read_settings.start(ctx, |store| store.api_settings());
            match self.read_settings.answer() {
                Some(Ok(settings)) => self.draft = Some(settings.draft()),
                Some(Err(e)) => {
                    ui.label(
                        RichText::new(format!("The API settings cannot be read: {e}"))
                            .color(ui.visuals().error_fg_color),
                    );
                    return;
                }
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Reading the API settings…");
                    });
                    return;
                }
            }
        }
        let Some(draft) = &mut self.draft else {
            return;
        };
        let e = self.errors.as_ref();
        ui.strong("Settings");
        form_grid(ui, "api-settings", |ui| {
            checkbox_row(
                ui,
                "Enabled",
                &mut draft.enabled,
                "serve the API while pooladmin runs",
            );
            text_row(
                ui,
                "Listen Address",
                &mut draft.listen,
                error_of(e, ApiSettingsField::ListenAddress),
            )
            .on_hover_text("127.0.0.1:8443 serves this machine only; any other address needs TLS");
            text_row(
                ui,
                "Agent URL",
                &mut draft.agent_url,
                error_of(e, ApiSettingsField::AgentUrl),
            )
            .on_hover_text("Where VMs reach the API ({checkin_url}); empty: the listen address");
            text_row(
                ui,
                "Host Missing Expiration (s)",
                &mut draft.host_missing_s,
                error_of(e, ApiSettingsField::HostMissing),
            )
            .on_hover_text("A host silent this long gets no new sessions");
            text_row(
                ui,
                "Host Dead Expiration (s)",
                &mut draft.host_dead_s,
                error_of(e, ApiSettingsField::HostDead),
            )
            .on_hover_text("An autoscaled host silent this long is destroyed and replaced");
            text_row(
                ui,
                "Rate Limit (requests/s per key)",
                &mut draft.rate_limit,
                error_of(e, ApiSettingsField::RateLimit),
            );
            text_row(
                ui,
                "Max Connections",
                &mut draft.max_connections,
                error_of(e, ApiSettingsField::MaxConnections),
            )
            .on_hover_text(automatic_cap_hint());
            code_row(
                ui,
                "TLS Certificate",
                &mut draft.tls_cert,
                "pem",
                true,
                error_of(e, ApiSettingsField::TlsCertificate),
            );
            if self.reveal_key {
                code_row(
                    ui,
                    "TLS Key",
                    draft.tls_key.expose_mut(),
                    "pem",
                    true,
                    error_of(e, ApiSettingsField::TlsKey),
                );
                ui.label("");
                if ui.small_button("Hide the key").clicked() {
                    self.reveal_key = false;
                }
                ui.end_row();
            } else {
                let label = ui.label("TLS Key");
                ui.vertical(|ui| {
                    ui.horizontal(|ui| {
                        let shown = if draft.tls_key.is_empty() {
                            "none".to_owned()
                        } else {
                            format!("set ({} characters, hidden)", draft.tls_key.expose().len())
                        };
                        ui.label(shown).labelled_by(label.id);
                        if ui.small_button("Show").clicked() {
                            self.reveal_key = true;
                        }
                        super::file_import::import_button(
                            ui,
                            "TLS Key",
                            draft.tls_key.expose_mut(),
                        );
                    });
                    if let Some(error) = error_of(e, ApiSettingsField::TlsKey) {
                        ui.label(
                            RichText::new(error)
                                .color(ui.visuals().error_fg_color)
                                .small(),
                        );
                    }
                });
                ui.end_row();
            }
        });
        let busy = self.save.busy();
        let (save, discard) = ui
            .horizontal(|ui| {
                if busy {
                    ui.spinner();
                    ui.label("Saving…");
                    return (false, false);
                }
                (
                    ui.button("Save API settings").clicked(),
                    ui.button("Discard changes").clicked(),
                )
            })
            .inner;
        if save {
            match draft.parse() {
                Err(errors) => {
                    ctx.error(format!("The API settings were not saved: {errors}"));
                    self.errors = Some(errors);
                }
                Ok(settings) => self
                    .save
                    .start(ctx, move |store| store.save_api_settings(&settings)),
            }
        }
        if let Some(saved) = self.save.answer()
            && ctx.report(saved, "API settings saved")
        {
            self.errors = None;
            if let Some(api) = api {
                api.reload();
            }
        }
        if discard {
            self.draft = None;
            self.errors = None;
        }
    }

    fn keys_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        if self.keys_generation != Some(ctx.catalog.generation) {
            self.read_keys.start(ctx, |store| store.api_keys());
            self.keys_generation = Some(ctx.catalog.generation);
        }
        match self.read_keys.answer() {
            Some(Ok(keys)) => self.keys = keys,
            Some(Err(e)) => ctx.error(format!("The API keys cannot be read: {e}")),
            None => {}
        }
        ui.strong("Portal keys");
        ui.label("A portal calls the API with a key; pooladmin keeps only its hash.");
        ui.horizontal(|ui| {
            let label = ui.label("Key Name");
            ui.add(egui::TextEdit::singleline(&mut self.key_name).desired_width(220.0))
                .labelled_by(label.id);
            let label = ui.label("Key Pools");
            ui.add(
                egui::TextEdit::singleline(&mut self.key_pools)
                    .desired_width(220.0)
                    .hint_text("every pool"),
            )
            .labelled_by(label.id)
            .on_hover_text("The pools it may use, separated by commas; empty: every pool");
            ui.checkbox(&mut self.key_read_only, "Read-only")
                .on_hover_text("It may list pools and read metrics, but not start or end sessions");
            if ui.button("Create key").clicked() {
                let rights = KeyRights {
                    read_only: self.key_read_only,
                    pools: self
                        .key_pools
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect(),
                };
                self.created_rights = rights.describe();
                let name = self.key_name.clone();
                self.create_key.start(ctx, move |store| {
                    store.create_api_key(&name, &rights, jiff::Timestamp::now())
                });
            }
            if self.create_key.busy() {
                ui.spinner();
            }
        });
        match self.create_key.answer() {
            Some(Ok(key)) => {
                ctx.commands.send(UiCommand::Reload);
                ctx.commands.send(UiCommand::ShowOnce(ShownOnce {
                    title: format!("API key {}", self.key_name.trim()),
                    message: format!(
                        "Give it to the portal: it calls the API with the header Authorization: Bearer <key>. Rights: {}.",
                        self.created_rights
                    ),
                    secret: key,
                }));
                self.key_name.clear();
                self.key_pools.clear();
                self.key_read_only = false;
                self.key_error = None;
            }
            Some(Err(e)) => self.key_error = Some(e.to_string()),
            None => {}
        }
        if let Some(error) = &self.key_error {
            ui.label(
                RichText::new(error)
                    .color(ui.visuals().error_fg_color)
                    .small(),
            );
        }
        if self.keys.is_empty() {
            ui.label(RichText::new("No keys yet.").weak());
            return;
        }
        let now = jiff::Timestamp::now();
        let mut revoke = None;
        TableBuilder::new(ui)
            .id_salt("api-keys")
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(220.0).resizable(true))
            .column(Column::initial(160.0))
            .column(Column::initial(120.0))
            .column(Column::initial(220.0).resizable(true))
            .column(Column::remainder().at_least(80.0))
            .header(24.0, |mut header| {
                for label in ["Name", "Created", "Last used", "Rights", "Actions"] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|mut body| {
                for key in &self.keys {
                    body.row(24.0, |mut row| {
                        row.col(|ui| {
                            ui.label(&key.name);
                        });
                        row.col(|ui| {
                            ui.label(local_time(key.created_at, "%Y-%m-%d %H:%M"));
                        });
                        row.col(|ui| {
                            ui.label(report_age(key.last_used, now));
                        });
                        row.col(|ui| {
                            ui.label(key.rights.describe());
                        });
                        row.col(|ui| {
                            if ui.button("Revoke…").clicked() {
                                revoke = Some((key.id, key.name.clone()));
                            }
                        });
                    });
                }
            });
        if let Some((id, name)) = revoke {
            ctx.confirm(Confirm {
                title: "Revoke API key?".to_owned(),
                message: format!(
                    "Key {name} will stop working at once: the next request with it is refused."
                ),
                button: "Revoke",
                action: Action::RevokeApiKey(id),
                done: format!("API key {name} revoked"),
            });
        }
    }
}

fn status_line(ui: &mut Ui, api: Option<&ApiControl>) {
    let (text, colour) = match api.map(ApiControl::status) {
        None => (
            "Not running here: no scaler runs beside this window".to_owned(),
            ui.visuals().weak_text_color(),
        ),
        Some(ApiStatus::Off) => ("Off".to_owned(), ui.visuals().weak_text_color()),
        Some(ApiStatus::Listening(url)) => {
            (format!("Listening on {url}"), ui.visuals().text_color())
        }
        Some(ApiStatus::Failed(reason)) => (
            format!("Not listening: {reason}"),
            ui.visuals().error_fg_color,
        ),
    };
    ui.label(RichText::new(text).color(colour));
    if api.is_some_and(ApiControl::overridden) {
        ui.label(
            RichText::new("This run chose its own loopback port (the demo); the settings below apply to other runs.")
                .weak()
                .small(),
        );
    }
}

/// What 0 in Max Connections means on this machine.
fn automatic_cap_hint() -> String {
    let limits = ConnectionLimits::automatic();
    format!(
        "Open connections served at once, each client address at most {}; more are refused at once. \
         0: from this process's open-file limit (now {} connections), keeping a reserve for the scaler, \
         the database and the clouds",
        limits.per_address, limits.total
    )
}
