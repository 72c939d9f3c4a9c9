//! The autoscaler: [`plan`] decides (pure), [`executor`] acts through the cloud traits,
//! [`reconcile`] squares the clouds with the store, and [`runtime`] runs them on a
//! background tokio runtime, talking to the window through commands and events.

pub mod plan;
pub mod snapshot;
pub mod world;
