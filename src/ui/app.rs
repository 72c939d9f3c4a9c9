//! The application window: navigation on the left, the chosen page in the middle, dialogs and
//! toasts on top. State lives in the page structs; the catalog is reloaded after each change.

use super::about::About;
use super::catalog::Catalog;
use super::command::{CommandSender, UiCommand};
use super::config_io::ConfigIo;
use super::confirm::Confirm;
use super::context::PageContext;
use super::page::Page;
use super::pending_actions::{Answered, PendingActions};
use super::promise::{Promise, take};
use super::scaler_view::ScalerView;
use super::shown_once::ShownOnce;
use super::store_worker::{StoreWorker, lost};
use super::ui_state::UiState;
use super::unreachable::Unreachable;
use super::view::Pages;
use crate::api::ApiControl;
use crate::scaler::{Command, ScalerHandle};
use crate::store::{Database, Store, StoreError};
use egui::{RichText, Ui};
use egui_notify::Toasts;
use std::time::{Duration, Instant};

/// Longest time a frame spends taking the scaler's updates; the rest wait for the next.
const UPDATE_BUDGET: Duration = Duration::from_millis(4);
/// Shortest time between two reloads caused by the scaler (it may change rows often).
const SCALER_RELOAD_EVERY: Duration = Duration::from_millis(300);

/// pooladmin's window.
pub struct PoolAdminApp {
    store: Store,
    catalog: Catalog,
    page: Page,
    pages: Pages,
    commands: CommandSender,
    scaler: Option<ScalerHandle>,
    scaler_view: ScalerView,
    reloaded_at: Instant,
    data_version: Option<i64>,
    confirm: Option<Confirm>,
    about: About,
    config_io: ConfigIo,
    toasts: Toasts,
    subtitle: Option<String>,
    fonts_installed: bool,
    banner: Option<String>,
    unreachable: Option<Unreachable>,
    api: Option<ApiControl>,
    shown_once: Option<ShownOnce>,
    // On a database server: the thread the catalog is read and forms are saved on, the
    // reload on its way, and whether another was asked for meanwhile.
    worker: Option<StoreWorker>,
    loading: Option<Promise<Result<Catalog, StoreError>>>,
    /// The capacity levels read from the database while another node runs the scaler.
    leader_levels: super::leader_levels::LeaderLevels,
    load_again: bool,
    pending: PendingActions,
}

impl PoolAdminApp {
    /// Opens the window's state on an open store.
    pub fn new(store: Store) -> Self {
        let mut app = Self {
            store,
            catalog: Catalog::default(),
            page: Page::Pools,
            pages: Pages::default(),
            commands: CommandSender::default(),
            scaler: None,
            scaler_view: ScalerView::default(),
            reloaded_at: Instant::now(),
            data_version: None,
            confirm: None,
            about: About::default(),
            config_io: ConfigIo::default(),
            toasts: Toasts::default(),
            subtitle: None,
            fonts_installed: false,
            banner: None,
            unreachable: None,
            api: None,
            shown_once: None,
            worker: None,
            loading: None,
            leader_levels: Default::default(),
            load_again: false,
            pending: PendingActions::default(),
        };
        // The first catalog is read before the window shows; later ones, on a database
        // server, on the worker.
        app.reload();
        if matches!(app.store.database(), Database::Postgres(_)) {
            match app.store.sibling() {
                Ok(sibling) => app.worker = Some(StoreWorker::start(sibling)),
                Err(e) => {
                    tracing::warn!(error = %e, "no second connection for the window's reads; it reads on its own thread")
                }
            }
        }
        app
    }

    /// Attaches the scaler running behind this window: its updates are shown, and every
    /// change made here wakes it.
    pub fn with_scaler(mut self, scaler: ScalerHandle) -> Self {
        self.scaler_view.leadership = scaler.leadership();
        self.scaler = Some(scaler);
        self.scaler_view.attached = true;
        self
    }

    /// Attaches the HTTP API running beside the scaler (the API page shows and restarts it).
    pub fn with_api(mut self, api: ApiControl) -> Self {
        self.api = Some(api);
        self
    }

    /// The window's view of the scaler (tests feed it updates).
    pub fn scaler_view(&mut self) -> &mut ScalerView {
        &mut self.scaler_view
    }

    /// A line shown under the navigation (e.g. "Demo database").
    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }

    /// What the window remembers between runs: the page on show, each table's filter
    /// and sort.
    pub fn ui_state(&mut self) -> UiState {
        let mut state = UiState {
            page: Some(self.page),
            ..UiState::default()
        };
        for page in Page::NAVIGATION {
            if let Some(view) = self.pages.view(page).state() {
                state.views.insert(page.title().to_owned(), view);
            }
        }
        state
    }

    /// Takes back what [`Self::ui_state`] gave, as far as it still applies: a pool's page
    /// whose pool is gone opens the Pools page instead.
    pub fn with_ui_state(mut self, mut state: UiState) -> Self {
        for page in Page::NAVIGATION {
            if let Some(view) = state.views.remove(page.title()) {
                self.pages.view(page).restore(view);
            }
        }
        self.page = match state.page {
            Some(Page::Pool(id)) if !self.catalog.pools.iter().any(|p| p.id == id) => Page::Pools,
            Some(page) => page,
            None => Page::Pools,
        };
        self
    }

    /// Switches to a page.
    pub fn open_page(&mut self, page: Page) {
        self.page = page;
    }

    /// The page on show.
    pub fn page(&self) -> Page {
        self.page
    }

    /// The data on show.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The store, for tests that check what was written.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Takes the scaler's waiting updates (within a time budget) and sends it the commands
    /// the pages queued.
    fn talk_to_scaler(&mut self, changed: bool) {
        if let Some(scaler) = &mut self.scaler {
            let start = Instant::now();
            while start.elapsed() < UPDATE_BUDGET {
                let Some(update) = scaler.try_update() else {
                    break;
                };
                self.scaler_view.absorb(update);
            }
            for command in self.scaler_view.outbox.drain(..) {
                scaler.send(command);
            }
            if std::mem::take(&mut self.scaler_view.restart_requested) {
                scaler.restart_now();
            }
            if changed {
                scaler.send(Command::Wake);
            }
        } else {
            self.scaler_view.outbox.clear();
        }
        // The scaler (and the demo's users) write through connections of their own.
        let version = match &self.worker {
            Some(worker) => worker.data_version(),
            None => self.store.data_version().ok(),
        };
        let written_elsewhere = version.is_some() && version != self.data_version;
        if (self.scaler_view.members_changed || written_elsewhere)
            && self.reloaded_at.elapsed() >= SCALER_RELOAD_EVERY
        {
            self.scaler_view.members_changed = false;
            self.data_version = version;
            self.reload();
        }
    }

    /// Reads the catalog again: at once on an SQLite file; on a database server on the
    /// worker, the catalog on show kept until the new one is in.
    fn reload(&mut self) {
        self.reloaded_at = Instant::now();
        let generation = self.catalog.generation + 1;
        let Some(worker) = &self.worker else {
            let loaded = Catalog::load(&self.store, generation);
            self.loaded(loaded);
            return;
        };
        if self.loading.is_some() {
            self.load_again = true;
            return;
        }
        let with_sessions = self.page == Page::Sessions;
        self.loading = Some(worker.run(move |store| {
            let mut catalog = Catalog::load(store, generation)?;
            if with_sessions {
                catalog.ensure_sessions(store)?;
            }
            Ok(catalog)
        }));
    }

    /// Takes a catalog the worker read, if one is in.
    fn take_loaded(&mut self) {
        let Some(loaded) = take(&mut self.loading, lost) else {
            return;
        };
        // Generations only grow, whatever was shown while it was read.
        let loaded = loaded.map(|mut catalog| {
            catalog.generation = catalog.generation.max(self.catalog.generation + 1);
            catalog
        });
        self.loaded(loaded);
        if std::mem::take(&mut self.load_again) {
            self.reload();
        }
    }

    fn loaded(&mut self, loaded: Result<Catalog, StoreError>) {
        match loaded {
            Ok(catalog) => {
                self.catalog = catalog;
                self.unreachable = None;
            }
            // Said by the banner, and tried again, until it answers.
            Err(e) if Unreachable::is_unreachable(&e) => {
                tracing::warn!(error = %e, "the database is unreachable");
                self.unreachable = Some(Unreachable::noted(self.unreachable.take(), &e));
            }
            Err(e) => {
                tracing::error!(error = %e, "reading the database failed");
                self.toasts
                    .error(format!("Reading the database failed: {e}"))
                    .duration(None);
            }
        }
    }

    /// The session list for the Sessions page: read now on a file, asked of the worker on
    /// a database server.
    fn ensure_sessions(&mut self) {
        if self.worker.is_some() {
            if !self.catalog.sessions_current() && self.loading.is_none() {
                self.reload();
            }
            return;
        }
        if let Err(e) = self.catalog.ensure_sessions(&self.store) {
            self.toasts
                .error(format!("Reading the sessions failed: {e}"));
        }
    }

    /// Draws the whole window into `ui`.
    pub fn show(&mut self, ui: &mut Ui) {
        if !self.fonts_installed {
            super::fonts::install_fallbacks(ui.ctx());
            self.fonts_installed = true;
        }
        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::left("navigation")
            .resizable(false)
            .exact_size(super::theme::NAV_WIDTH)
            .show(ui, |ui| self.navigation_ui(ui));
        for warning in std::mem::take(&mut self.scaler_view.warnings) {
            self.toasts
                .warning(warning)
                .duration(Some(Duration::from_secs(12)));
        }
        if let Some(worker) = &self.worker {
            worker.wakes(ui.ctx());
        }
        self.take_loaded();
        self.leader_levels
            .poll(self.worker.as_ref(), &mut self.scaler_view);
        if self.page == Page::Sessions {
            self.ensure_sessions();
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(unreachable) = &self.unreachable {
                unreachable.ui(ui);
            }
            no_scaler_ui(ui, &self.scaler_view, &mut self.page);
            scaler_stopped_ui(ui, &mut self.scaler_view);
            banner_ui(ui, &mut self.banner);
            let mut ctx = PageContext {
                store: &mut self.store,
                worker: self.worker.as_ref(),
                pending: &mut self.pending,
                catalog: &self.catalog,
                toasts: &mut self.toasts,
                commands: &mut self.commands,
                page: self.page,
                scaler: &mut self.scaler_view,
                api: self.api.as_ref(),
            };
            self.pages.view(self.page).ui(ui, &mut ctx);
        });
        let mut changed = self.take_answers();
        changed |= self.apply_commands();
        if let Some(once) = &self.shown_once
            && once.show(ui)
        {
            self.shown_once = None;
        }
        changed |= self.confirmation_ui(ui);
        self.about
            .ui(ui, &self.store, &self.catalog, &mut self.toasts);
        changed |= self
            .config_io
            .ui(ui, &mut self.store, self.worker.as_ref(), &mut self.toasts);
        let retry = match &self.unreachable {
            Some(unreachable) => unreachable.retry_due(),
            // The server closed the connection: the reload reconnects, or says so.
            None => match &self.worker {
                Some(worker) => worker.connection_lost(),
                None => self.store.connection_lost(),
            },
        };
        // A retry waits for the read on its way; a change asks for one more after it.
        if changed || (retry && self.loading.is_none()) {
            self.reload();
        }
        if self.unreachable.is_some() {
            ui.ctx()
                .request_repaint_after(super::unreachable::RETRY_EVERY);
        }
        self.talk_to_scaler(changed);
        if self.scaler_view.attached {
            // Spinners, "since" times and the chart move with the clock.
            ui.ctx().request_repaint_after(Duration::from_secs(1));
        }
        self.toasts.show(ui.ctx());
    }

    /// Says how the actions sent to the database thread ended; whether one changed the
    /// database.
    fn take_answers(&mut self) -> bool {
        let mut changed = false;
        for answered in self.pending.answered() {
            match answered {
                Answered::Done(message, then) => {
                    changed = true;
                    self.banner = None;
                    self.toasts
                        .success(message)
                        .duration(Some(Duration::from_secs(3)));
                    for command in then {
                        self.commands.send(command);
                    }
                }
                Answered::Failed(message) => {
                    tracing::warn!(%message, "action refused");
                    self.toasts
                        .error(message.clone())
                        .duration(Some(Duration::from_secs(8)));
                    self.banner = Some(message);
                }
            }
        }
        changed
    }

    /// Carries out what the pages asked for this frame, in order; whether the database
    /// changed.
    fn apply_commands(&mut self) -> bool {
        let mut changed = false;
        for command in self.commands.take() {
            match command {
                UiCommand::Navigate(page) => self.page = page,
                UiCommand::Confirm(confirm) => self.confirm = Some(confirm),
                UiCommand::Reload => changed = true,
                UiCommand::ShowOnce(secret) => self.shown_once = Some(secret),
                UiCommand::Banner(banner) => self.banner = banner,
            }
        }
        changed
    }

    /// The open confirmation, and a yes carried out; whether the database changed.
    fn confirmation_ui(&mut self, ui: &mut Ui) -> bool {
        let Some(confirm) = &self.confirm else {
            return false;
        };
        let Some(answer) = confirm.show(ui) else {
            return false;
        };
        let mut changed = false;
        if answer && let Some(worker) = &self.worker {
            // The pool on show is gone once this is done: back to the list then.
            let then = match (confirm.action, self.page) {
                (super::confirm::Action::DeletePool(id), Page::Pool(open)) if id == open => {
                    Some(UiCommand::Navigate(Page::Pools))
                }
                _ => None,
            };
            let action = confirm.action;
            let answer = worker.run(move |store| action.apply(store).map(|()| None));
            self.pending.wait_for(answer, confirm.done.clone(), then);
        } else if answer {
            match confirm.action.apply(&mut self.store) {
                Ok(()) => {
                    changed = true;
                    self.banner = None;
                    self.toasts
                        .success(confirm.done.clone())
                        .duration(Some(Duration::from_secs(3)));
                    // The pool on show is gone: back to the list.
                    if let (super::confirm::Action::DeletePool(id), Page::Pool(open)) =
                        (confirm.action, self.page)
                        && id == open
                    {
                        self.page = Page::Pools;
                    }
                }
                Err(e) => {
                    self.toasts
                        .error(e.to_string())
                        .duration(Some(Duration::from_secs(8)));
                    self.banner = Some(e.to_string());
                }
            }
        }
        self.confirm = None;
        changed
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Export configuration…").clicked() {
                    self.config_io.start_export(ui.ctx());
                }
                if ui.button("Import configuration…").clicked() {
                    self.config_io.start_import(ui.ctx());
                }
                ui.separator();
                if ui.button("About pooladmin").clicked() {
                    self.about.open = true;
                }
            });
            ui.menu_button("View", |ui| {
                ui.label(RichText::new("Theme").weak().small());
                super::theme::theme_menu(ui);
            });
        });
    }

    fn navigation_ui(&mut self, ui: &mut Ui) {
        ui.add_space(8.0);
        ui.heading(RichText::new("pooladmin").strong());
        if let Some(subtitle) = &self.subtitle {
            ui.label(RichText::new(subtitle).weak());
        }
        ui.separator();
        for page in Page::NAVIGATION {
            if page == Page::AutoScale {
                ui.add_space(6.0);
                ui.label(RichText::new("Autoscaling").weak().small());
            }
            if page == Page::Api {
                ui.add_space(6.0);
                ui.label(RichText::new("Settings").weak().small());
            }
            let selected = self.page.nav_item() == page;
            let text = match self.pages.view(page).count(&self.catalog) {
                Some(count) => format!("{}  ({count})", page.title()),
                None => page.title().to_owned(),
            };
            if ui.selectable_label(selected, text).clicked() {
                self.page = page;
            }
        }
        ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
            ui.add_space(8.0);
            if ui.button("About").clicked() {
                self.about.open = true;
            }
            // On a database server: what is on its way there.
            let busy = if self.pending.any() {
                Some("Saving…")
            } else if self.loading.is_some() {
                Some("Reading…")
            } else {
                None
            };
            if let Some(busy) = busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(RichText::new(busy).weak());
                });
            }
        });
    }
}

/// A red banner while the scaler is stopped (why, when it starts again, and a button to
/// start it now), or while its creates wait for the database to accept writes.
fn scaler_stopped_ui(ui: &mut Ui, scaler: &mut ScalerView) {
    if let Some(reason) = &scaler.creates_paused {
        red_banner(ui, |ui| {
            ui.label(
                RichText::new(format!(
                    "Creates are paused: {reason}. Free space on the database's disk; nothing is created without its record, and creates go on by themselves once writes work."
                ))
                .strong(),
            );
        });
    }
    let Some((reason, restart_at)) = &scaler.stopped else {
        return;
    };
    let wait = restart_at
        .saturating_duration_since(Instant::now())
        .as_secs();
    let mut restart = false;
    red_banner(ui, |ui| {
        ui.label(
            RichText::new(format!(
                "The scaler stopped: {reason}. Nothing is created or deleted until it runs again; it restarts by itself in {wait} s."
            ))
            .strong(),
        );
        restart = ui.button("Restart scaler").clicked();
    });
    if restart {
        scaler.restart_requested = true;
    }
}

/// A red banner while no node of the deployment runs the scaler (a database several nodes
/// share), with the button that makes this window stand for it.
fn no_scaler_ui(ui: &mut Ui, scaler: &ScalerView, page: &mut Page) {
    let Some(leadership) = &scaler.leadership else {
        return;
    };
    let view = leadership.view();
    if !view.known || view.leader.is_some() {
        return;
    }
    let mut run_here = false;
    let mut show_nodes = false;
    red_banner(ui, |ui| {
        if leadership.campaigns() {
            ui.spinner();
            ui.label(
                RichText::new("No node runs the scaler: this window is taking it over…").strong(),
            );
        } else {
            // One line: a label wrapped inside a row leaves a gap where it breaks.
            ui.add(
                egui::Label::new(
                    RichText::new(
                        "No node runs the scaler: nothing is created or deleted. Start pooladmin headless on a server, or",
                    )
                    .strong(),
                )
                .wrap_mode(egui::TextWrapMode::Extend),
            );
            run_here = ui.button("Run the scaler here").clicked();
        }
        show_nodes = ui.link("Nodes").clicked();
    });
    if run_here {
        leadership.set_campaign(true);
    }
    if show_nodes {
        *page = Page::Nodes;
    }
}

/// A red frame around one line of `content`, above the page.
fn red_banner(ui: &mut Ui, content: impl FnOnce(&mut Ui)) {
    let red = ui.visuals().error_fg_color;
    super::theme::notice_frame(red, red.gamma_multiply(0.25)).show(ui, |ui| {
        ui.horizontal(content);
    });
    ui.add_space(4.0);
}

/// The last refusal, above the page, until dismissed.
fn banner_ui(ui: &mut Ui, banner: &mut Option<String>) {
    let Some(message) = banner.as_deref() else {
        return;
    };
    let mut dismiss = false;
    super::theme::notice_frame(ui.visuals().error_fg_color, ui.visuals().extreme_bg_color).show(
        ui,
        |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(message).color(ui.visuals().error_fg_color));
                dismiss = ui.small_button("Dismiss").clicked();
            });
        },
    );
    ui.add_space(4.0);
    if dismiss {
        *banner = None;
    }
}

impl eframe::App for PoolAdminApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.ui_state().save(storage);
    }
}
