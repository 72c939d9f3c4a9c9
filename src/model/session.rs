//! Sessions: one user's workload placed on a server or a docker agent.

use super::validation::{check_name, parse_decimal, parse_whole};
use super::{AgentId, PoolId, Resources, Secret, ServerId, SessionId, ValidationErrors};
use crate::model::field::SessionField;
use jiff::Timestamp;
use std::fmt;

/// The member a session runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionHost {
    /// A server of a Server pool.
    Server(ServerId),
    /// A docker agent of a Docker Agent pool.
    Agent(AgentId),
}

impl fmt::Display for SessionHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(id) => write!(f, "server #{id}"),
            Self::Agent(id) => write!(f, "docker agent #{id}"),
        }
    }
}

/// A running session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Its key in the database; the API hands it to portals to end the session.
    pub id: SessionId,
    /// Pool it was placed in.
    pub pool: PoolId,
    /// Member it runs on.
    pub host: SessionHost,
    /// Who or what it is for.
    pub user_label: String,
    /// What it asked for.
    pub resources: Resources,
    /// Pre-started by a staging config rather than asked for by a user.
    pub staged: bool,
    /// When it started.
    pub started_at: Timestamp,
}

/// A request to start a session, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRequest {
    /// Pool to place it in.
    pub pool: PoolId,
    /// Who or what it is for.
    pub user_label: String,
    /// What it asks for.
    pub resources: Resources,
    /// Pre-started by a staging config.
    pub staged: bool,
}

/// The Start session form as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRequestDraft {
    /// Pool.
    pub pool: Option<PoolId>,
    /// User.
    pub user_label: String,
    /// Cores.
    pub cores: String,
    /// Memory (MB).
    pub memory_mb: String,
    /// GPUs.
    pub gpus: String,
    /// Staged.
    pub staged: bool,
    /// The user's credential, for servers that sign in as the user (`{sso_cred}`); kept in
    /// memory for the session only.
    pub credential: Secret,
    /// Whether the chosen pool has servers that sign in as the user (the form sets it).
    pub needs_credential: bool,
}

impl SessionRequestDraft {
    /// An empty form: 2 cores, 2 GB, no GPU.
    pub fn new(pool: Option<PoolId>) -> Self {
        Self {
            pool,
            user_label: String::new(),
            cores: "2".into(),
            memory_mb: "2048".into(),
            gpus: "0".into(),
            staged: false,
            credential: Secret::default(),
            needs_credential: false,
        }
    }

    /// Parses and checks every field; the errors name each bad field.
    pub fn parse(&self) -> Result<SessionRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let pool = self.pool.unwrap_or_else(|| {
            errors.push(SessionField::Pool, "choose a pool");
            PoolId(0)
        });
        check_name(&mut errors, SessionField::User, &self.user_label);
        if self.needs_credential && self.credential.is_empty() && !self.staged {
            errors.push(
                SessionField::Credential,
                "servers of this pool sign in as the user ({sso_cred}): type the user's credential",
            );
        }
        let resources = Resources::new(
            parse_decimal(&mut errors, SessionField::Cores, &self.cores, 0.0),
            parse_whole(
                &mut errors,
                SessionField::Memory,
                &self.memory_mb,
                0,
                i64::MAX,
            ),
            parse_whole(&mut errors, SessionField::Gpus, &self.gpus, 0, 1024),
        );
        errors.into_result(SessionRequest {
            pool,
            user_label: self.user_label.trim().to_owned(),
            resources,
            staged: self.staged,
        })
    }
}
