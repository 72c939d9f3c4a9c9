//! Import: the whole file is checked with the forms' validators before anything is
//! written, each problem named by its place in the file; then it is applied in one
//! transaction, creating what is new and updating what exists, matched by name.

mod applying;
mod checking;
mod planning;
mod reading;
mod serde_words;
mod shape;

use crate::config_file::list::List;
use applying::apply;
use checking::check;
use planning::plan;
use reading::unseal;
pub use reading::{parse, parse_at};

use super::export::{ExportScope, snapshot};
use super::format::ConfigFile;
use crate::model::Secret;
use crate::store::Store;

/// What an import does to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// New: created.
    Create,
    /// Exists with other values: updated.
    Update,
    /// Exists as in the file: left alone.
    Unchanged,
    /// Not in the file, and `prune` was asked: deleted.
    Delete,
    /// A member the file marks as autoscaled (state, from `export --include-state`): never
    /// made a static member, so left out.
    Skipped,
}

/// How to import.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Plan only; write nothing.
    pub dry_run: bool,
    /// Delete what the file no longer has (refused for anything still in use).
    pub prune: bool,
}

/// One object's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedChange {
    /// Its list in the file.
    pub kind: List,
    /// Its name.
    pub name: String,
    /// What happens to it.
    pub change: Change,
}

/// What an import did, or (dry run) would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Every object of the file.
    pub changes: Vec<PlannedChange>,
}

impl ImportReport {
    /// How many objects get `change`.
    pub fn count(&self, change: Change) -> usize {
        self.changes.iter().filter(|c| c.change == change).count()
    }

    /// Whether anything is created, updated or deleted.
    pub fn writes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.change, Change::Create | Change::Update | Change::Delete))
    }

    /// "2 to create, 1 to update, 0 to delete, 5 unchanged", or "0 changes"; autoscaled
    /// members left out are counted after.
    pub fn summary(&self) -> String {
        let mut summary = if self.writes() {
            format!(
                "{} to create, {} to update, {} to delete, {} unchanged",
                self.count(Change::Create),
                self.count(Change::Update),
                self.count(Change::Delete),
                self.count(Change::Unchanged)
            )
        } else {
            format!("0 changes ({} unchanged)", self.count(Change::Unchanged))
        };
        let skipped = self.count(Change::Skipped);
        if skipped > 0 {
            summary.push_str(&format!(
                "; {skipped} autoscaled member(s) left out (state, not configuration)"
            ));
        }
        summary
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is malformed or a value is invalid (exit code 1).
    #[error("the file is invalid; nothing was written:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
    /// The database refused a change (exit code 2).
    #[error("refused; nothing was written: {0}")]
    Refused(String),
}

/// Checks, plans and (unless a dry run) applies `file` in one transaction.
pub fn import(
    store: &mut Store,
    file: &ConfigFile,
    passphrase: Option<&Secret>,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let given = unseal(file, passphrase)?;
    let (file, skipped) = without_autoscaled(file);
    let now = snapshot(store, ExportScope::Configuration)
        .map_err(|e| ImportError::Refused(e.to_string()))?;
    let errors = check(&file, &now, &given);
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    let mut report = plan(&file, &now, &given, options.prune);
    if !options.dry_run && report.writes() {
        store
            .atomically(|store| apply(store, &file, &report, &given, &now.secrets))
            .map_err(|e| ImportError::Refused(e.to_string()))?;
        // Placement plans from them (PostgreSQL); best effort: the import is done.
        if let Err(e) = store.refresh_statistics() {
            tracing::warn!(error = %e, "the database's statistics were not refreshed after the import");
        }
    }
    report.changes.extend(skipped);
    Ok(report)
}

/// The file without the members it marks as autoscaled, and those members as skipped.
fn without_autoscaled(file: &ConfigFile) -> (ConfigFile, Vec<PlannedChange>) {
    let skip = |kind: List, name: &str| PlannedChange {
        kind,
        name: name.to_owned(),
        change: Change::Skipped,
    };
    let servers = file.servers.iter().filter(|e| e.autoscaled);
    let agents = file.docker_agents.iter().filter(|e| e.autoscaled);
    let skipped = servers
        .map(|e| skip(List::Servers, &e.friendly_name))
        .chain(agents.map(|e| skip(List::DockerAgents, &e.hostname)))
        .collect();
    let mut file = file.clone();
    file.servers.retain(|e| !e.autoscaled);
    file.docker_agents.retain(|e| !e.autoscaled);
    (file, skipped)
}

fn change_of(report: &ImportReport, kind: List, name: &str) -> Change {
    report
        .changes
        .iter()
        .find(|c| c.kind == kind && c.name.eq_ignore_ascii_case(name))
        .map_or(Change::Unchanged, |c| c.change)
}
