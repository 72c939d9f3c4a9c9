//! Configuration as code: the whole configuration as one JSON file, exported
//! deterministically and imported in one transaction.

pub mod export;
pub mod format;
pub mod import;
pub mod list;
pub mod secret_refs;

pub use export::{ExportScope, export, snapshot};
pub use format::{ConfigFile, FORMAT};
pub use import::{ImportError, ImportOptions, ImportReport, import, parse, parse_at};

/// The JSON Schema of the file format, generated from the types (shipped as
/// `assets/config-schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    // Serialising a schema (plain JSON values) cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
