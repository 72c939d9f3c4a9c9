//! Staging configs: sessions to keep pre-started in a pool.

use super::validation::{check_name, parse_decimal, parse_whole};
use super::{PoolId, Resources, StagingId, ValidationErrors, ZoneId};
use crate::model::field::StagingField;

/// The most sessions one staging config may keep ready.
pub const MAX_STAGED_SESSIONS: i64 = 10_000;

/// What an administrator sets on a staging config.
#[derive(Clone, Debug, PartialEq)]
pub struct StagingSpec {
    /// Deployment zone the staged sessions run in.
    pub zone: ZoneId,
    /// Pool the staged sessions run in.
    pub pool: PoolId,
    /// Workspace whose sessions are staged; unique within the pool.
    pub workspace_name: String,
    /// How many sessions to keep ready.
    pub desired_sessions: u32,
    /// What one staged session needs.
    pub per_session: Resources,
}

impl StagingSpec {
    /// What all desired sessions need together.
    pub fn total_need(&self) -> Resources {
        let n = self.desired_sessions;
        Resources::new(
            self.per_session.cores * f64::from(n),
            self.per_session.memory_mb * i64::from(n),
            self.per_session.gpus * i64::from(n),
        )
    }

    /// Checks every field again, as the store does before writing.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.check(&mut errors);
        errors.into_result(())
    }

    fn check(&self, errors: &mut ValidationErrors) {
        check_name(errors, StagingField::WorkspaceName, &self.workspace_name);
        if i64::from(self.desired_sessions) > MAX_STAGED_SESSIONS {
            errors.push(
                StagingField::DesiredSessions,
                format!("expected at most {MAX_STAGED_SESSIONS}"),
            );
        }
        if !(self.per_session.cores > 0.0 && self.per_session.cores.is_finite()) {
            errors.push(
                StagingField::Cores,
                "expected a number above 0, e.g. 2 or 0.5",
            );
        }
        if self.per_session.memory_mb < 1 {
            errors.push(
                StagingField::Memory,
                "expected a whole number of at least 1",
            );
        }
        if self.per_session.gpus < 0 {
            errors.push(StagingField::Gpus, "expected a whole number of at least 0");
        }
    }
}

/// A stored staging config.
#[derive(Clone, Debug, PartialEq)]
pub struct StagingConfig {
    /// Its key in the database, stable for its life.
    pub id: StagingId,
    /// What the administrator set.
    pub spec: StagingSpec,
}

/// The staging form as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct StagingDraft {
    /// Deployment Zone.
    pub zone: Option<ZoneId>,
    /// Pool.
    pub pool: Option<PoolId>,
    /// Workspace Name.
    pub workspace_name: String,
    /// Desired Sessions.
    pub desired_sessions: String,
    /// Cores per Session.
    pub cores: String,
    /// Memory per Session (MB).
    pub memory_mb: String,
    /// GPUs per Session.
    pub gpus: String,
}

impl StagingDraft {
    /// An empty form: two sessions of 2 cores and 2 GB.
    pub fn new(zone: Option<ZoneId>, pool: Option<PoolId>) -> Self {
        Self {
            zone,
            pool,
            workspace_name: String::new(),
            desired_sessions: "2".into(),
            cores: "2".into(),
            memory_mb: "2048".into(),
            gpus: "0".into(),
        }
    }

    /// The form filled from a stored config, for editing.
    pub fn from_spec(spec: &StagingSpec) -> Self {
        Self {
            zone: Some(spec.zone),
            pool: Some(spec.pool),
            workspace_name: spec.workspace_name.clone(),
            desired_sessions: spec.desired_sessions.to_string(),
            cores: super::resources::format_cores(spec.per_session.cores),
            memory_mb: spec.per_session.memory_mb.to_string(),
            gpus: spec.per_session.gpus.to_string(),
        }
    }

    /// Parses and checks every field; the errors name each bad field.
    pub fn parse(&self) -> Result<StagingSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let zone = self.zone.unwrap_or_else(|| {
            errors.push(StagingField::Zone, "choose a deployment zone");
            ZoneId(0)
        });
        let pool = self.pool.unwrap_or_else(|| {
            errors.push(StagingField::Pool, "choose a pool");
            PoolId(0)
        });
        let desired = parse_whole(
            &mut errors,
            StagingField::DesiredSessions,
            &self.desired_sessions,
            0,
            MAX_STAGED_SESSIONS,
        );
        let per_session = Resources::new(
            parse_decimal(&mut errors, StagingField::Cores, &self.cores, 0.0),
            parse_whole(
                &mut errors,
                StagingField::Memory,
                &self.memory_mb,
                1,
                i64::MAX,
            ),
            parse_whole(&mut errors, StagingField::Gpus, &self.gpus, 0, 1024),
        );
        let spec = StagingSpec {
            zone,
            pool,
            workspace_name: self.workspace_name.trim().to_owned(),
            desired_sessions: u32::try_from(desired).unwrap_or(0),
            per_session,
        };
        spec.check(&mut errors);
        errors.into_result(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_need_multiplies() {
        let mut draft = StagingDraft::new(Some(ZoneId(1)), Some(PoolId(1)));
        draft.workspace_name = "Chrome".into();
        let spec = draft.parse().unwrap();
        assert_eq!(spec.total_need(), Resources::new(4.0, 4096, 0));
    }

    #[test]
    fn zero_cores_is_refused() {
        let mut draft = StagingDraft::new(Some(ZoneId(1)), None);
        draft.cores = "0".into();
        let errors = draft.parse().unwrap_err();
        assert!(errors.for_field(StagingField::Cores).is_some());
        assert!(errors.for_field(StagingField::Pool).is_some());
        assert!(errors.for_field(StagingField::WorkspaceName).is_some());
    }
}
