//! What-if replays (issue 15): the recorded demand of a pool played against an AutoScale
//! config's current values and candidate ones, on a simulated cloud and a paused clock,
//! with the real planner deciding — so an administrator tries a setting before it costs
//! money.

pub mod changes;
pub mod engine;
pub mod preview;
pub mod stand_in;

pub use changes::Change;
pub use engine::{Outcome, Request, Sample, Setup, replay};
pub use preview::{Basis, DemandSource, Preview, PreviewError, preview};
