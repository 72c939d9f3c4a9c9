//! What the scaler tells the window (or the headless log) as it goes.

use crate::model::cloud_list::ListEntry;
use crate::model::scaler_event::ScalerEvent;
use jiff::Timestamp;
use std::time::Duration;

/// What the scaler tells the window.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// Something happened (also in the event log).
    Event(ScalerEvent),
    /// Each pool's free capacity against its target.
    Levels(Timestamp, Vec<super::plan::PoolLevel>),
    /// The answer to a Test connection, by its number: what the cloud said, or its error.
    ConnectionTested(u64, Result<String, String>),
    /// The answer to a list asked for a form's picker, by its number.
    CloudListed(u64, Result<Vec<ListEntry>, String>),
    /// The scaler stopped on a fatal error; it starts again after `restart_in`.
    Stopped {
        /// Why.
        reason: String,
        /// When it will be started again.
        restart_in: Duration,
    },
    /// A stopped scaler was started again.
    Restarted,
    /// The database cannot grow (the disk is full): creates wait, nothing is made without
    /// its record; the scaler keeps running.
    CreatesPaused(String),
    /// The database accepts writes again: creates go on.
    CreatesResumed,
}
