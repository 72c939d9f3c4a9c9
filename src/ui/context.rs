//! What a page may touch while it draws: the store, the catalog, toasts, and the commands it
//! sends the window (navigation, confirmations, reloads, the banner).

use super::catalog::Catalog;
use super::command::{CommandSender, UiCommand};
use super::page::Page;
use super::pending_actions::PendingActions;
use super::scaler_view::ScalerView;
use super::shown_once::ShownOnce;
use super::store_worker::StoreWorker;
use crate::api::ApiControl;
use crate::store::{Store, StoreError};
use egui_notify::Toasts;
use std::time::Duration;

/// Handed to every page for one frame.
pub struct PageContext<'a> {
    /// The database; every change is one call, one transaction.
    pub store: &'a mut Store,
    /// On a database server, the thread forms save through (so no frame waits on it).
    pub worker: Option<&'a StoreWorker>,
    /// Actions sent to that thread, said when they come back.
    pub pending: &'a mut PendingActions,
    /// What to draw.
    pub catalog: &'a Catalog,
    /// Where warnings and errors go.
    pub toasts: &'a mut Toasts,
    /// What the window does after this frame.
    pub commands: &'a mut CommandSender,
    /// The page on show (the pool page reads its pool from it).
    pub page: Page,
    /// The scaler's feed, and the commands pages send it.
    pub scaler: &'a mut ScalerView,
    /// The HTTP API beside the scaler, when one runs.
    pub api: Option<&'a ApiControl>,
}

impl PageContext<'_> {
    /// Reports the outcome of a store call: a success toast and a reload, or an error toast.
    /// Returns whether it succeeded.
    pub fn report<T>(&mut self, result: Result<T, StoreError>, success: impl Into<String>) -> bool {
        match result {
            Ok(_) => {
                self.succeeded(success);
                true
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// Carries out `work`, one store call that changes something, and says how it went:
    /// at once on a file; on a database server on the window's database thread, said when
    /// the database answers. Whether it went through (or, on a server, was sent).
    pub fn act<T: 'static>(
        &mut self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
        success: impl Into<String>,
    ) -> bool {
        match self.worker {
            Some(worker) => {
                let answer = worker.run(move |store| work(store).map(|_| None));
                self.pending.wait_for(answer, success.into(), None);
                true
            }
            None => {
                let result = work(self.store);
                self.report(result, success)
            }
        }
    }

    /// Issues member `host`'s agent token and shows it once (or why there is none): at
    /// once on a file, when the database answers on a server.
    pub fn issue_token(&mut self, name: &str, host: crate::model::SessionHost) {
        let now = jiff::Timestamp::now();
        match self.worker {
            Some(worker) => {
                let shown_name = name.to_owned();
                let answer = worker.run(move |store| {
                    let token = store.issue_agent_token(host, now)?;
                    Ok(Some(UiCommand::ShowOnce(token_shown(&shown_name, token))))
                });
                self.pending
                    .wait_for(answer, format!("Agent token for {name} issued"), None);
            }
            None => match self.store.issue_agent_token(host, now) {
                Ok(token) => {
                    self.commands.send(UiCommand::Reload);
                    self.commands
                        .send(UiCommand::ShowOnce(token_shown(name, token)));
                }
                Err(e) => self.error(format!("No agent token for {name}: {e}")),
            },
        }
    }

    /// Shows an error until the administrator has had time to read it.
    pub fn error(&mut self, message: String) {
        tracing::warn!(%message, "action refused");
        self.toasts
            .error(message.clone())
            .duration(Some(Duration::from_secs(8)));
        self.commands.send(UiCommand::Banner(Some(message)));
    }

    /// A change went through: say so briefly, clear the last refusal, reload.
    pub fn succeeded(&mut self, message: impl Into<String>) {
        self.commands.send(UiCommand::Reload);
        self.commands.send(UiCommand::Banner(None));
        self.toasts
            .success(message.into())
            .duration(Some(Duration::from_secs(3)));
    }

    /// Goes to `page` after this frame.
    pub fn navigate(&mut self, page: Page) {
        self.commands.send(UiCommand::Navigate(page));
    }

    /// Asks before something destructive; a yes is carried out after this frame.
    pub fn confirm(&mut self, confirm: super::confirm::Confirm) {
        self.commands.send(UiCommand::Confirm(confirm));
    }
}

/// The dialog that shows `name`'s new agent token once.
fn token_shown(name: &str, token: crate::model::Secret) -> ShownOnce {
    ShownOnce {
        title: format!("Agent token for {name}"),
        message: format!(
            "Run the agent on {name} with it: pooladmin agent --url <API URL> --token-file <file holding this token>. Any earlier token of {name} stops working now."
        ),
        secret: token,
    }
}
