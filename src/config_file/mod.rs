//! Configuration as code: the whole configuration as one JSON file, exported
//! deterministically and imported in one transaction.

pub mod export;
pub mod format;
pub mod import;

pub use export::{export, snapshot};
pub use format::{ConfigFile, FORMAT};
pub use import::{ImportError, ImportOptions, ImportReport, import, parse};
