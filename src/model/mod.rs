//! Plain data types of pooladmin and their validation: no I/O, no clock, no async.

pub mod agent_address;
pub mod api_settings;
pub mod api_text;
pub mod app_settings;
pub mod autoscale;
pub mod cloud_ids;
pub mod cloud_list;
pub mod computer_name;
pub mod config_health;
pub mod cost;
pub mod cost_report;
pub mod credentials;
pub mod decision;
pub mod dns_provider;
pub mod docker_agent;
pub mod field;
pub mod host_health;
pub mod host_report;
pub mod ids;
pub mod instance;
pub mod json_shapes;
pub mod ldap;
pub mod node;
pub mod origin;
pub mod pem_text;
pub mod placement;
pub mod pool;
pub mod pool_summary;
pub mod resources;
pub mod scaler_event;
pub mod schedule;
pub mod secret;
pub mod secret_fields;
pub mod server;
pub mod session;
pub mod session_history;
pub mod sso;
pub mod staging;
pub mod startup_script;
pub mod validation;
pub mod vm_names;
pub mod vm_provider;
pub mod zone;

pub use docker_agent::{AgentDraft, AgentSpec, DockerAgent};
pub use field::Field;
pub use ids::{
    AgentId, AutoScaleId, DnsProviderId, LdapId, PoolId, ServerId, SessionId, StagingId,
    VmProviderId, ZoneId,
};
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
