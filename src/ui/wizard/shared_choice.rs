//! A wizard step that picks a shared config: an existing one (optionally edited, for every
//! config that shares it), a new one, or (for DNS) none.

use crate::model::ValidationErrors;
use crate::model::validation::check_name;
use crate::store::{Choice, ConfigRow, SharedConfig};

/// What the step is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No config (DNS only).
    None,
    /// A stored config.
    Existing,
    /// A new config.
    New,
}

/// The state of one shared-config step.
pub struct SharedChoice<T: SharedConfig> {
    /// Existing, new or none.
    pub mode: Mode,
    /// The stored config chosen.
    pub existing: Option<T::Id>,
    /// Whether the chosen stored config is being edited.
    pub edit_existing: bool,
    /// The config being written: the new one, or the edited copy.
    pub draft: T,
}

impl<T: SharedConfig + Clone> SharedChoice<T>
where
    T::Id: PartialEq,
{
    /// Starts on `existing` when given, else on a new config.
    pub fn new(existing: Option<T::Id>, draft: T) -> Self {
        Self {
            mode: if existing.is_some() {
                Mode::Existing
            } else {
                Mode::New
            },
            existing,
            edit_existing: false,
            draft,
        }
    }

    /// The stored row chosen, if any.
    pub fn chosen<'r>(&self, rows: &'r [ConfigRow<T>]) -> Option<&'r ConfigRow<T>> {
        self.existing
            .and_then(|id| rows.iter().find(|r| r.id == id))
    }

    /// Picks a stored config; its copy becomes the draft for editing.
    pub fn pick(&mut self, row: &ConfigRow<T>) {
        self.existing = Some(row.id);
        self.draft = row.spec.clone();
        self.edit_existing = false;
    }

    /// Whether the draft is being written (new, or an edited existing one).
    pub fn writes_draft(&self) -> bool {
        self.mode == Mode::New || (self.mode == Mode::Existing && self.edit_existing)
    }

    /// The step's problems: nothing chosen, or the draft's own errors and a taken name.
    pub fn problems(&self, rows: &[ConfigRow<T>], noun: &str, optional: bool) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        match self.mode {
            Mode::None if !optional => errors.push(
                T::CHOICE_FIELD,
                format!("choose an existing {noun} or create one"),
            ),
            Mode::None => {}
            Mode::Existing if self.chosen(rows).is_none() => {
                errors.push(T::CHOICE_FIELD, format!("choose one of the stored {noun}s"));
            }
            _ => {}
        }
        if self.writes_draft() {
            errors = self.draft.validate().err().unwrap_or_default();
            check_name(&mut errors, T::NAME_FIELD, self.draft.name());
            let except = if self.mode == Mode::Existing {
                self.existing
            } else {
                None
            };
            let taken = rows.iter().any(|r| {
                Some(r.id) != except
                    && r.spec
                        .name()
                        .trim()
                        .eq_ignore_ascii_case(self.draft.name().trim())
            });
            if taken {
                errors.push(
                    T::NAME_FIELD,
                    format!(
                        "a {noun} named '{}' already exists",
                        self.draft.name().trim()
                    ),
                );
            }
        }
        errors
    }

    /// What the store writes for this step; `None` for no config.
    pub fn choice(&self) -> Option<Choice<T>> {
        match (self.mode, self.existing) {
            (Mode::None, _) => None,
            (Mode::New, _) => Some(Choice::New(self.draft.clone())),
            (Mode::Existing, Some(id)) if self.edit_existing => {
                Some(Choice::Edited(id, self.draft.clone()))
            }
            (Mode::Existing, Some(id)) => Some(Choice::Existing(id)),
            (Mode::Existing, None) => None,
        }
    }
}
