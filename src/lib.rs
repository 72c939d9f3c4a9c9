//! pooladmin: administration of remote-desktop Server and Docker Agent pools.
//!
//! Layers, each depending only on those above it: [`model`] (plain data, validation,
//! placement), [`store`] (SQLite), [`ui`] (egui).

pub mod config_file;
pub mod demo;
pub mod model;
pub mod store;
pub mod ui;
