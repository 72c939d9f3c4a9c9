//! The Sessions page: every running session; Start session places one by the pool's rule.

use super::catalog::Catalog;
use super::confirm::{Action, Confirm};
use super::context::PageContext;
use super::dialog::{Outcome, form_dialog_saving};
use super::editor::Editor;
use super::form::{checkbox_row, combo_row, error_of, form_grid, secret_row, text_row};
use super::table::{RowOrder, Sort, filter_box, local_time, matches, sort_header};
use crate::model::field::SessionField;
use crate::model::resources::format_cores;
use crate::model::session::SessionHost;
use crate::model::sso::{SessionCredentials, SsoIdentity, resolve, uses_sso};
use crate::model::{CredentialType, PoolId, ServerId, ServerSpec, SessionId, SessionRequestDraft};
use crate::store::Placed;
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::theme::ROW_HEIGHT;
const HEADERS: [&str; 9] = [
    "User",
    "Pool",
    "Host",
    "Connects as",
    "Cores",
    "Memory (MB)",
    "GPUs",
    "Staged",
    "Started",
];

/// State of the Sessions page.
#[derive(Default)]
pub struct SessionsPage {
    pub(super) filter: String,
    pub(super) sort: Sort,
    order: RowOrder,
    editor: Option<Editor<SessionRequestDraft, ()>>,
    last_placed: Option<String>,
    /// Single sign-on credentials resolved for sessions started here: in memory only,
    /// dropped when the session ends or the window closes.
    connections: HashMap<SessionId, SessionCredentials>,
    /// What each server connects as, by id, for the table (rebuilt with the catalog).
    server_logins: HashMap<ServerId, String>,
    /// Pools with a server that signs in as the user (rebuilt with the catalog).
    sso_pools: HashSet<PoolId>,
    /// The catalog generation the three above were last brought up to.
    pruned_at: Option<u64>,
}

/// The server a session runs on, if it runs on one.
fn server_of(catalog: &Catalog, host: SessionHost) -> Option<&ServerSpec> {
    let SessionHost::Server(id) = host else {
        return None;
    };
    catalog
        .servers
        .iter()
        .find(|row| row.server.id == id)
        .map(|row| &row.server.spec)
}

impl SessionsPage {
    /// Draws the page.
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        ui.horizontal(|ui| {
            ui.heading("Sessions");
            ui.add_space(16.0);
            filter_box(ui, &mut self.filter);
            if ui.button("Start session").clicked() {
                let pool = ctx.catalog.pools.first().map(|p| p.id);
                self.editor = Some(Editor::new((), SessionRequestDraft::new(pool)));
            }
        });
        if let Some(placed) = &self.last_placed {
            ui.label(RichText::new(placed).italics());
        }
        ui.separator();
        self.refresh(ctx.catalog);
        self.table_ui(ui, ctx);
        self.editor_ui(ui, ctx);
    }

    /// Brings what is derived from the catalog up to date when the catalog changed: ended
    /// sessions lose their credentials, and each server's login and SSO use is read once.
    fn refresh(&mut self, catalog: &Catalog) {
        if self.pruned_at == Some(catalog.generation) {
            return;
        }
        self.pruned_at = Some(catalog.generation);
        let live: HashSet<SessionId> = catalog.sessions.iter().map(|s| s.session.id).collect();
        self.connections.retain(|id, _| live.contains(id));
        self.server_logins = catalog
            .servers
            .iter()
            .map(|row| (row.server.id, server_login(&row.server.spec)))
            .collect();
        self.sso_pools = catalog
            .servers
            .iter()
            .filter(|row| uses_sso(&row.server.spec))
            .filter_map(|row| row.server.spec.pool)
            .collect();
    }

    fn table_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let sessions = &ctx.catalog.sessions;
        if sessions.is_empty() {
            ui.label("No sessions are running. Start one to see where placement puts it.");
            return;
        }
        let sort = self.sort;
        let rows = self
            .order
            .rows(ctx.catalog.generation, &self.filter, sort, |filter| {
                let mut rows: Vec<usize> = (0..sessions.len())
                    .filter(|&i| {
                        let s = &sessions[i];
                        matches(filter, &[&s.session.user_label, &s.pool_name, &s.host_name])
                    })
                    .collect();
                rows.sort_by(|&a, &b| {
                    let (a, b) = (&sessions[a], &sessions[b]);
                    let (ra, rb) = (&a.session.resources, &b.session.resources);
                    sort.apply(match sort.column {
                        1 => a.pool_name.cmp(&b.pool_name),
                        2 | 3 => a.host_name.cmp(&b.host_name),
                        4 => ra.cores.total_cmp(&rb.cores),
                        5 => ra.memory_mb.cmp(&rb.memory_mb),
                        6 => ra.gpus.cmp(&rb.gpus),
                        7 => a.session.staged.cmp(&b.session.staged),
                        8 => a.session.started_at.cmp(&b.session.started_at),
                        _ => a.session.user_label.cmp(&b.session.user_label),
                    })
                });
                rows
            })
            .to_vec();
        let mut end = None;
        TableBuilder::new(ui)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .id_salt("sessions")
            .striped(true)
            .column(Column::initial(140.0).resizable(true))
            .columns(Column::initial(140.0).resizable(true), 3)
            .columns(Column::initial(80.0), 4)
            .column(Column::initial(140.0))
            .column(Column::remainder().at_least(100.0))
            .header(ROW_HEIGHT, |mut header| {
                for (i, label) in HEADERS.into_iter().enumerate() {
                    header.col(|ui| sort_header(ui, label, i, &mut self.sort));
                }
                header.col(|ui| {
                    ui.strong("Actions");
                });
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                    let entry = &sessions[rows[row.index()]];
                    let s = &entry.session;
                    row.col(|ui| {
                        ui.label(&s.user_label);
                    });
                    row.col(|ui| {
                        ui.label(&entry.pool_name);
                    });
                    row.col(|ui| {
                        ui.label(&entry.host_name);
                    });
                    row.col(|ui| {
                        if let Some(credentials) = self.connections.get(&s.id) {
                            ui.label(format!("{} (single sign-on)", credentials.username))
                                .on_hover_text(
                                    "Resolved when the session started; the credential is held \
                                     in memory for this session only and never saved.",
                                );
                        } else if let SessionHost::Server(id) = s.host {
                            ui.label(self.server_logins.get(&id).map_or("—", String::as_str));
                        } else {
                            ui.label("—");
                        }
                    });
                    row.col(|ui| {
                        ui.label(format_cores(s.resources.cores));
                    });
                    row.col(|ui| {
                        ui.label(s.resources.memory_mb.to_string());
                    });
                    row.col(|ui| {
                        ui.label(s.resources.gpus.to_string());
                    });
                    row.col(|ui| {
                        ui.label(if s.staged { "Yes" } else { "No" });
                    });
                    row.col(|ui| {
                        ui.label(local_time(s.started_at, "%Y-%m-%d %H:%M:%S"));
                    });
                    row.col(|ui| {
                        if ui.small_button("End").clicked() {
                            end = Some((s.id, s.user_label.clone(), entry.host_name.clone()));
                        }
                    });
                });
            });
        if let Some((id, user, host)) = end {
            ctx.confirm(Confirm {
                title: "End session?".to_owned(),
                message: format!("The session of {user} on {host} will be ended."),
                button: "End session",
                action: Action::EndSession(id),
                done: format!("Session of {user} ended"),
            });
        }
    }

    fn editor_ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        editor.recheck(SessionRequestDraft::parse);
        let errors = editor.errors().cloned();
        let errors = errors.as_ref();
        let pools: Vec<_> = ctx
            .catalog
            .pools
            .iter()
            .map(|p| (Some(p.id), format!("{} ({})", p.name, p.kind.label())))
            .collect();
        let saving = editor.saving();
        let d = &mut editor.draft;
        d.needs_credential = d.pool.is_some_and(|pool| self.sso_pools.contains(&pool));
        let reveal = &mut editor.reveal;
        let outcome = form_dialog_saving(ui, "session", "Start session", "Start", saving, |ui| {
            form_grid(ui, "session-form", |ui| {
                combo_row(
                    ui,
                    "Pool",
                    &mut d.pool,
                    &pools,
                    error_of(errors, SessionField::Pool),
                );
                text_row(
                    ui,
                    "User",
                    &mut d.user_label,
                    error_of(errors, SessionField::User),
                );
                if d.needs_credential {
                    secret_row(
                        ui,
                        "Credential",
                        &mut d.credential,
                        reveal,
                        error_of(errors, SessionField::Credential),
                    );
                    ui.label("");
                    ui.label(
                        RichText::new(
                            "Servers of this pool sign in as the user: the credential is used \
                             for this session only and never saved.",
                        )
                        .small(),
                    );
                    ui.end_row();
                }
                text_row(
                    ui,
                    "Cores",
                    &mut d.cores,
                    error_of(errors, SessionField::Cores),
                );
                text_row(
                    ui,
                    "Memory (MB)",
                    &mut d.memory_mb,
                    error_of(errors, SessionField::Memory),
                );
                text_row(
                    ui,
                    "GPUs",
                    &mut d.gpus,
                    error_of(errors, SessionField::Gpus),
                );
                checkbox_row(
                    ui,
                    "Staged",
                    &mut d.staged,
                    "pre-started for a staging config",
                );
            });
        });
        // What the save placed, handed over by its success message's closure (which may
        // run on the window's database thread).
        let placed: Arc<Mutex<Option<(Placed, String)>>> = Arc::default();
        let close = if editor.saving() {
            editor.poll_save(ctx)
        } else {
            match outcome {
                Outcome::Open => false,
                Outcome::Cancel => true,
                Outcome::Submit => {
                    let placed = Arc::clone(&placed);
                    editor.save(
                        ctx,
                        SessionRequestDraft::parse,
                        |s, request| s.start_session(request),
                        move |request, done: &Placed| {
                            let text = format!(
                                "Session of {} started on {} in pool {}",
                                request.user_label, done.host_name, done.pool_name
                            );
                            *placed.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some((done.clone(), text.clone()));
                            text
                        },
                    )
                }
            }
        };
        let placed = placed.lock().unwrap_or_else(|e| e.into_inner()).take();
        let placed_on = placed.as_ref().map(|(p, _)| (p.id, p.host));
        let mut placed_text = placed.map(|(_, text)| text);
        // A server that signs in as the user gets this session's own credentials.
        if let Some((session, host)) = placed_on
            && let Some(server) = server_of(ctx.catalog, host).filter(|s| uses_sso(s))
        {
            let identity = SsoIdentity {
                username: editor.draft.user_label.trim().to_owned(),
                credential: editor.draft.credential.clone(),
            };
            let credentials = resolve(server, &identity);
            if let Some(text) = &mut placed_text {
                text.push_str(&format!(
                    "; it connects as {} (single sign-on, credential held in memory only)",
                    credentials.username
                ));
            }
            self.connections.insert(session, credentials);
        }
        if placed_text.is_some() {
            self.last_placed = placed_text;
        }
        if close {
            self.editor = None;
        }
    }
}

/// What a server connects as when no session-own credentials are known here.
fn server_login(spec: &ServerSpec) -> String {
    if uses_sso(spec) {
        "single sign-on as the session's user".to_owned()
    } else if spec.credential_type == CredentialType::Static {
        spec.username.clone()
    } else {
        "asked when connecting".to_owned()
    }
}
