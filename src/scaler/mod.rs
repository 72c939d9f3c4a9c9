//! The autoscaler: [`plan`] decides (pure), [`executor`] acts through the cloud traits and
//! [`outcome`] records what came of it, [`reconcile`] squares the clouds with the store, and
//! [`runtime`] runs them on a background tokio runtime, talking to the window through
//! commands and updates.

pub mod call_guard;
pub mod command;
mod computer_target;
pub mod computers;
pub mod election;
pub mod executor;
pub mod failpoint;
pub mod gauges;
pub mod handle;
mod history;
pub mod leadership;
pub mod operations;
pub mod outcome;
pub mod pass_checks;
pub mod plan;
pub mod reconcile;
pub mod retry;
pub mod runtime;
pub mod settings;
pub mod snapshot;
mod state;
pub mod supervisor;
pub mod update;
pub mod world;

pub use command::{Command, ConnectionTarget};
pub use executor::{Halt, Scaler, ScalerSettings, Update};
pub use handle::ScalerHandle;
pub use leadership::{Leadership, LeadershipView};
