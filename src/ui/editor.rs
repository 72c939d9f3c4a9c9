//! The life of a form: a draft, its errors once a save was tried (re-checked as the
//! administrator fixes them), and a save that keeps the dialog open on any failure.

use super::context::PageContext;
use super::dialog::Outcome;
use crate::model::ValidationErrors;
use crate::model::field::SessionField;
use crate::store::{Store, StoreError};
use std::time::Duration;

/// An open form editing `draft` for `target` (`None` target = a new record).
pub struct Editor<D, K> {
    /// What is being edited.
    pub target: K,
    /// The form as typed.
    pub draft: D,
    /// Whether masked secrets are shown.
    pub reveal: bool,
    errors: Option<ValidationErrors>,
    checked: Option<D>,
}

impl<D: Clone + PartialEq, K> Editor<D, K> {
    /// Opens a form.
    pub fn new(target: K, draft: D) -> Self {
        Self {
            target,
            draft,
            reveal: false,
            errors: None,
            checked: None,
        }
    }

    /// The errors to show, once a save was tried.
    pub fn errors(&self) -> Option<&ValidationErrors> {
        self.errors.as_ref()
    }

    /// After a failed save, checks each edit again so fixed fields lose their error.
    pub fn recheck<S>(&mut self, parse: impl Fn(&D) -> Result<S, ValidationErrors>) {
        if self.errors.is_some() && self.checked.as_ref() != Some(&self.draft) {
            self.errors = Some(parse(&self.draft).err().unwrap_or_default());
            self.checked = Some(self.draft.clone());
        }
    }

    /// Parses and saves; true when saved, so the dialog may close. On failure nothing was
    /// written and the errors are shown beside their fields.
    pub fn save<S, T>(
        &mut self,
        ctx: &mut PageContext<'_>,
        parse: impl Fn(&D) -> Result<S, ValidationErrors>,
        save: impl FnOnce(&mut Store, &S) -> Result<T, StoreError>,
        success: impl FnOnce(&S, &T) -> String,
    ) -> bool {
        let spec = match parse(&self.draft) {
            Ok(spec) => spec,
            Err(errors) => {
                self.show_errors(errors);
                return false;
            }
        };
        match save(ctx.store, &spec) {
            Ok(saved) => {
                ctx.succeeded(success(&spec, &saved));
                true
            }
            Err(StoreError::Invalid(errors)) => {
                self.show_errors(errors);
                false
            }
            Err(StoreError::NoCapacity(refusal)) => {
                // No room is demand the scaler should hear of at once (DESIGN §3).
                ctx.scaler.send(crate::scaler::Command::Wake);
                // The pool is the field to change: say so beside it, and as a toast.
                ctx.toasts
                    .error(refusal.to_string())
                    .duration(Some(Duration::from_secs(8)));
                self.show_errors(ValidationErrors::single(
                    SessionField::Pool,
                    refusal.to_string(),
                ));
                false
            }
            Err(e) => {
                ctx.error(e.to_string());
                false
            }
        }
    }

    fn show_errors(&mut self, errors: ValidationErrors) {
        self.errors = Some(errors);
        self.checked = Some(self.draft.clone());
    }
}

impl<D: Clone + PartialEq, I: Copy> Editor<D, Option<I>> {
    /// Acts on a dialog's outcome: adds a new record, or updates the one being edited.
    /// True when the dialog should close. `what` names the record in messages ("Server").
    pub fn finish<S, A>(
        &mut self,
        ctx: &mut PageContext<'_>,
        outcome: Outcome,
        parse: impl Fn(&D) -> Result<S, ValidationErrors>,
        add: impl FnOnce(&mut Store, &S) -> Result<A, StoreError>,
        update: impl FnOnce(&mut Store, I, &S) -> Result<(), StoreError>,
        what: impl Fn(&S) -> String,
    ) -> bool {
        match (outcome, self.target) {
            (Outcome::Open, _) => false,
            (Outcome::Cancel, _) => true,
            (Outcome::Submit, None) => {
                self.save(ctx, parse, add, |s, _| format!("{} added", what(s)))
            }
            (Outcome::Submit, Some(id)) => self.save(
                ctx,
                parse,
                |store, s| update(store, id, s),
                |s, _| format!("{} saved", what(s)),
            ),
        }
    }
}
