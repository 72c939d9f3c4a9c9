//! Deployment zones: named locations that servers, agents and AutoScale configs belong to.

use super::ZoneId;

/// A named location. The name is unique (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentZone {
    /// Its key in the database, stable for its life.
    pub id: ZoneId,
    /// Unique name.
    pub name: String,
}
