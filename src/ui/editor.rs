//! The life of a form: a draft, its errors once a save was tried (re-checked as the
//! administrator fixes them), and a save that keeps the dialog open on any failure.

use super::context::PageContext;
use super::dialog::Outcome;
use super::store_answer::StoreAnswer;
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
    // A save sent to the window's database thread (PostgreSQL): its success message, or
    // why it failed. The form stays open, unchanged, until it answers.
    saving: StoreAnswer<String>,
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
            saving: StoreAnswer::default(),
        }
    }

    /// Whether a save is on its way to the database (the dialog shows it and waits).
    pub fn saving(&self) -> bool {
        self.saving.busy()
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
    /// written and the errors are shown beside their fields. With the window's database
    /// thread (PostgreSQL) the save runs there: false until it answers, then as above on
    /// the frame that polls it ([`Editor::poll_save`]).
    pub fn save<S: Send + 'static, T: 'static>(
        &mut self,
        ctx: &mut PageContext<'_>,
        parse: impl Fn(&D) -> Result<S, ValidationErrors>,
        save: impl FnOnce(&mut Store, &S) -> Result<T, StoreError> + Send + 'static,
        success: impl FnOnce(&S, &T) -> String + Send + 'static,
    ) -> bool {
        if self.saving() {
            return false;
        }
        let spec = match parse(&self.draft) {
            Ok(spec) => spec,
            Err(errors) => {
                self.show_errors(errors);
                return false;
            }
        };
        self.saving.start(ctx, move |store| {
            save(store, &spec).map(|saved| success(&spec, &saved))
        });
        // Run here, it has answered already.
        self.poll_save(ctx)
    }

    /// Takes the answer of a save sent to the database thread; true when it was saved, so
    /// the dialog may close.
    pub fn poll_save(&mut self, ctx: &mut PageContext<'_>) -> bool {
        match self.saving.answer() {
            Some(answer) => self.answered(ctx, answer),
            None => false,
        }
    }

    fn answered(&mut self, ctx: &mut PageContext<'_>, answer: Result<String, StoreError>) -> bool {
        match answer {
            Ok(message) => {
                ctx.succeeded(message);
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

impl<D: Clone + PartialEq, I: Copy + Send + 'static> Editor<D, Option<I>> {
    /// Acts on a dialog's outcome: adds a new record, or updates the one being edited.
    /// True when the dialog should close. `what` names the record in messages ("Server").
    /// While a save is on its way, the dialog stays as it is: neither Save nor Cancel.
    pub fn finish<S: Send + 'static, A: 'static>(
        &mut self,
        ctx: &mut PageContext<'_>,
        outcome: Outcome,
        parse: impl Fn(&D) -> Result<S, ValidationErrors>,
        add: impl FnOnce(&mut Store, &S) -> Result<A, StoreError> + Send + 'static,
        update: impl FnOnce(&mut Store, I, &S) -> Result<(), StoreError> + Send + 'static,
        what: impl Fn(&S) -> String + Send + 'static,
    ) -> bool {
        if self.saving() {
            return self.poll_save(ctx);
        }
        match (outcome, self.target) {
            (Outcome::Open, _) => false,
            (Outcome::Cancel, _) => true,
            (Outcome::Submit, None) => {
                self.save(ctx, parse, add, move |s, _| format!("{} added", what(s)))
            }
            (Outcome::Submit, Some(id)) => self.save(
                ctx,
                parse,
                move |store, s| update(store, id, s),
                move |s, _| format!("{} saved", what(s)),
            ),
        }
    }
}
