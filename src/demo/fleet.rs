//! The demo's hosts: every member runs the agent protocol through real HTTP, as a deployment
//! would. Static members get a token when the demo starts; each simulated VM, once it runs,
//! starts an agent with the `{checkin_token}` its startup script was given, or, for a VM made
//! before the demo restarted, with a fresh token for its instance.

use crate::agent::host_facts::HostFacts;
use crate::agent::{AgentOptions, run};
use crate::api::client::ApiClient;
use crate::cloud::simulated::SimulatedCloud;
use crate::cloud::{VmState, tags};
use crate::model::instance::{InstanceId, InstanceSize};
use crate::model::{Resources, Secret, SessionHost};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Where the API is, once it listens.
pub type ApiUrl = Arc<dyn Fn() -> Option<String> + Send + Sync>;
/// The simulated clouds whose VMs run agents.
pub type SimulatedClouds = Arc<dyn Fn() -> Vec<Arc<SimulatedCloud>> + Send + Sync>;

/// How often the fleet looks for new VMs.
const LOOK_EVERY: Duration = Duration::from_secs(2);

/// The token in a rendered startup script (`pa_a_` and 43 URL-safe characters).
pub fn token_in(script: &str) -> Option<&str> {
    let start = script.find("pa_a_")?;
    let token = script.get(start..start + 48)?;
    token[5..]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .then_some(token)
}

/// Runs the demo's hosts until the task is dropped.
pub async fn run_fleet(mut store: Store, url: ApiUrl, clouds: SimulatedClouds) {
    let mut agents: HashMap<String, JoinHandle<()>> = HashMap::new();
    let mut statics_started = false;
    loop {
        tokio::time::sleep(LOOK_EVERY).await;
        let Some(base) = url() else {
            continue;
        };
        if !statics_started {
            statics_started = true;
            for (key, facts, token) in static_members(&mut store) {
                agents.insert(key, spawn_agent(&base, token, facts));
            }
        }
        let mut present = Vec::new();
        for cloud in clouds() {
            for vm in cloud.vms() {
                present.push(vm.cloud_id.clone());
                if vm.state != VmState::Running || agents.contains_key(&vm.cloud_id) {
                    continue;
                }
                let instance = vm
                    .tags
                    .get(tags::INSTANCE)
                    .and_then(|id| id.parse().ok())
                    .map(InstanceId);
                let Some(token) = vm_token(&mut store, &cloud, &vm.cloud_id, instance) else {
                    continue;
                };
                let resources = instance.and_then(|id| store.instance(id).ok()).map_or_else(
                    Resources::default,
                    |i| match i.size {
                        InstanceSize::Agent(r) => r,
                        InstanceSize::Server { .. } => Resources::new(4.0, 8192, 0),
                    },
                );
                let facts = HostFacts {
                    hostname: vm.name.clone(),
                    address: vm.address.clone().unwrap_or_else(|| "127.0.0.1".to_owned()),
                    cores: resources.cores,
                    memory_mb: resources.memory_mb,
                    gpus: resources.gpus,
                };
                let agent = spawn_agent(&base, token, facts);
                agents.insert(vm.cloud_id.clone(), agent);
            }
        }
        // A VM that is gone takes its agent with it.
        agents.retain(|key, agent| {
            let keep = key.starts_with("static:") || present.contains(key);
            if !keep {
                agent.abort();
            }
            keep
        });
    }
}

/// The token a simulated VM's agent starts with: the one in its startup script while this
/// process has the script, else (the demo restarted: scripts and the tokens agents were
/// given lived in memory) a fresh working token for its instance.
fn vm_token(
    store: &mut Store,
    cloud: &SimulatedCloud,
    cloud_id: &str,
    instance: Option<InstanceId>,
) -> Option<Secret> {
    let script = cloud.startup_script(cloud_id).unwrap_or_default();
    if let Some(token) = token_in(&script) {
        return Some(Secret::new(token));
    }
    store
        .reissue_instance_token(instance?, jiff::Timestamp::now())
        .ok()
}

/// Every static member with a fresh token (the demo's own; a real host is given one from
/// its Actions menu).
fn static_members(store: &mut Store) -> Vec<(String, HostFacts, Secret)> {
    let now = jiff::Timestamp::now();
    let mut members = Vec::new();
    for row in store.agents().unwrap_or_default() {
        if row.agent.origin != crate::model::Origin::Static {
            continue;
        }
        let spec = &row.agent.spec;
        let facts = HostFacts {
            hostname: spec.hostname.clone(),
            address: spec.hostname.clone(),
            cores: spec.reported.cores,
            memory_mb: spec.reported.memory_mb,
            gpus: spec.reported.gpus,
        };
        if let Ok(token) = store.issue_agent_token(SessionHost::Agent(row.agent.id), now) {
            members.push((format!("static:agent:{}", row.agent.id), facts, token));
        }
    }
    for row in store.servers().unwrap_or_default() {
        if row.server.origin != crate::model::Origin::Static {
            continue;
        }
        let spec = &row.server.spec;
        let facts = HostFacts {
            hostname: spec.friendly_name.clone(),
            address: spec.host.clone(),
            cores: 4.0,
            memory_mb: 8192,
            gpus: 0,
        };
        if let Ok(token) = store.issue_agent_token(SessionHost::Server(row.server.id), now) {
            members.push((format!("static:server:{}", row.server.id), facts, token));
        }
    }
    members
}

fn spawn_agent(base: &str, token: Secret, facts: HostFacts) -> JoinHandle<()> {
    let client = match ApiClient::new(base, token, None) {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "a demo host cannot reach the API");
            return tokio::spawn(async {});
        }
    };
    let name = facts.hostname.clone();
    tokio::spawn(async move {
        let options = AgentOptions {
            client,
            facts,
            sessions_file: None,
            token_file: None,
        };
        if let Err(e) = run(options, std::future::pending()).await {
            tracing::info!(host = %name, error = %e, "a demo host's agent stopped");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_in_a_rendered_script() {
        let token = format!("pa_a_{}", "A".repeat(43));
        let script = format!("#!/bin/sh\necho '{token}' > /etc/pooladmin/token\n");
        assert_eq!(token_in(&script), Some(token.as_str()));
        assert_eq!(token_in("#!/bin/sh\necho {checkin_token}\n"), None);
        assert_eq!(token_in("pa_a_short"), None);
    }
}
