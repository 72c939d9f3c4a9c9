//! pooladmin: administration of remote-desktop Server and Docker Agent pools.
//!
//! Layers, each depending only on those above it: [`model`] (plain data, validation,
//! placement), [`store`] (SQLite), [`cloud`] (the clouds, and a simulated one), [`scaler`]
//! (plan, execute, reconcile), [`ui`] (egui).

pub mod agent;
pub mod api;
pub mod cloud;
pub mod config_file;
pub mod demo;
pub mod directory;
pub mod model;
pub mod replay;
pub mod scaler;
pub mod store;
#[cfg(feature = "gui")]
pub mod ui;
