//! What a page may touch while it draws: the store, the catalog, toasts and navigation.

use super::catalog::Catalog;
use super::confirm::Confirm;
use super::page::Page;
use super::scaler_view::ScalerView;
use super::shown_once::ShownOnce;
use crate::store::{Store, StoreError};
use egui_notify::Toasts;
use std::time::Duration;

/// Handed to every page for one frame.
pub struct PageContext<'a> {
    /// The database; every change is one call, one transaction.
    pub store: &'a mut Store,
    /// What to draw.
    pub catalog: &'a Catalog,
    /// Where warnings and errors go.
    pub toasts: &'a mut Toasts,
    /// Set when the store changed, so the catalog is reloaded after this frame.
    pub changed: bool,
    /// Set to go to another page after this frame.
    pub goto: Option<Page>,
    /// Set to ask the administrator before something destructive.
    pub confirm: Option<Confirm>,
    /// The last refusal, shown above the page until dismissed or until the next success.
    pub banner: Option<String>,
    /// The scaler's feed, and the commands pages send it.
    pub scaler: &'a mut ScalerView,
    /// A secret to show once (a new key or token), after this frame.
    pub shown_once: Option<ShownOnce>,
}

impl PageContext<'_> {
    /// Reports the outcome of a store call: a success toast and a reload, or an error toast.
    /// Returns whether it succeeded.
    pub fn report<T>(&mut self, result: Result<T, StoreError>, success: impl Into<String>) -> bool {
        match result {
            Ok(_) => {
                self.changed = true;
                self.banner = None;
                self.toasts
                    .success(success.into())
                    .duration(Some(Duration::from_secs(3)));
                true
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// Shows a freshly issued agent token of member `name` once, or why there is none.
    pub fn show_token(&mut self, name: &str, issued: Result<crate::model::Secret, StoreError>) {
        match issued {
            Ok(token) => {
                self.changed = true;
                self.shown_once = Some(ShownOnce {
                    title: format!("Agent token for {name}"),
                    message: format!(
                        "Run the agent on {name} with it: pooladmin agent --url <API URL> --token-file <file holding this token>. Any earlier token of {name} stops working now."
                    ),
                    secret: token,
                });
            }
            Err(e) => self.error(format!("No agent token for {name}: {e}")),
        }
    }

    /// Shows an error until the administrator has had time to read it.
    pub fn error(&mut self, message: String) {
        tracing::warn!(%message, "action refused");
        self.toasts
            .error(message.clone())
            .duration(Some(Duration::from_secs(8)));
        self.banner = Some(message);
    }
}
