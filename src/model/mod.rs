//! Plain data types of pooladmin and their validation: no I/O, no clock, no async.

pub mod cloud_ids;
pub mod docker_agent;
pub mod ids;
pub mod json_shapes;
pub mod origin;
pub mod pem_text;
pub mod placement;
pub mod pool;
pub mod pool_summary;
pub mod resources;
pub mod secret;
pub mod server;
pub mod session;
pub mod staging;
pub mod startup_script;
pub mod validation;
pub mod zone;

pub use docker_agent::{AgentDraft, AgentSpec, DockerAgent};
pub use ids::{AgentId, PoolId, ServerId, SessionId, StagingId, ZoneId};
pub use origin::Origin;
pub use placement::{Member, MemberCapacity, NoCapacity, place};
pub use pool::{Pool, PoolKind};
pub use pool_summary::{FreeCapacity, PoolSummary};
pub use resources::Resources;
pub use secret::Secret;
pub use server::{ConnectionType, CredentialType, Server, ServerDraft, ServerSpec};
pub use session::{Session, SessionHost, SessionRequest, SessionRequestDraft};
pub use staging::{StagingConfig, StagingDraft, StagingSpec};
pub use validation::{FieldError, ValidationErrors};
pub use zone::DeploymentZone;
