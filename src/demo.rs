//! The demo deployment: two zones, two server pools, two agent pools, 30 members and some
//! sessions, all placed by the real placement rule. Written only into an empty database.

use crate::model::autoscale::{AutoScaleSpec, Scaling};
use crate::model::vm_provider::{ProviderKind, VmProviderSpec};
use crate::model::{
    AgentDraft, ConnectionType, CredentialType, PoolId, PoolKind, Resources, Secret, ServerDraft,
    SessionRequest, StagingDraft, ZoneId,
};
use crate::store::{Choice, Store, StoreError};

/// Fills an empty database with the demo deployment.
pub fn seed(store: &mut Store) -> Result<(), StoreError> {
    let eu = store.add_zone("eu-west")?;
    let us = store.add_zone("us-east")?;
    let windows = store.add_pool("Windows Desktops", PoolKind::Server)?;
    let linux = store.add_pool("Linux Workstations", PoolKind::Server)?;
    let browsers = store.add_pool("Browser Isolation", PoolKind::DockerAgent)?;
    let gpu = store.add_pool("GPU Workloads", PoolKind::DockerAgent)?;

    for i in 1..=6 {
        add_server(
            store,
            &format!("win-rdp-{i:02}"),
            eu,
            Some(windows),
            ConnectionType::Rdp,
            2,
        )?;
    }
    for i in 1..=4 {
        add_server(
            store,
            &format!("linux-ws-{i:02}"),
            us,
            Some(linux),
            ConnectionType::KasmVnc,
            4,
        )?;
    }
    add_server(store, "win-rdp-spare", eu, None, ConnectionType::Rdp, 1)?;
    add_server(store, "bastion-ssh", us, None, ConnectionType::Ssh, 8)?;

    let mut agents = Vec::new();
    for i in 1..=8 {
        let zone = if i <= 5 { eu } else { us };
        agents.push(agent(
            &format!("agent-{i:02}.demo.internal"),
            zone,
            Some(browsers),
            "8",
            "16384",
            "0",
        )?);
    }
    for i in 1..=3 {
        agents.push(agent(
            &format!("gpu-{i:02}.demo.internal"),
            us,
            Some(gpu),
            "16",
            "65536",
            "2",
        )?);
    }
    agents.push(agent(
        "agent-spare.demo.internal",
        eu,
        None,
        "4",
        "8192",
        "0",
    )?);
    let ids = store.add_agents(&agents)?;
    store.set_agent_draining(ids[7], true)?;

    let mut staging = StagingDraft::new(Some(eu), Some(browsers));
    staging.workspace_name = "Chrome".into();
    staging.desired_sessions = "4".into();
    store.add_staging(&staging.parse()?)?;

    let users = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
    ];
    for (i, user) in users.iter().enumerate() {
        start(store, windows, user, Resources::default(), false)?;
        if i % 2 == 0 {
            start(store, linux, user, Resources::default(), false)?;
        }
        start(store, browsers, user, Resources::new(2.0, 2048, 0), false)?;
    }
    for n in 0..4 {
        start(
            store,
            browsers,
            &format!("staged-chrome-{n}"),
            Resources::new(2.0, 2048, 0),
            true,
        )?;
    }
    for user in ["mallory", "trent"] {
        start(store, gpu, user, Resources::new(4.0, 16384, 1), false)?;
    }
    autoscale(store, eu, browsers, gpu, windows)
}

/// A simulated cloud shared by three AutoScale configs, so the demo shows autoscaling
/// without any cloud account.
fn autoscale(
    store: &mut Store,
    zone: ZoneId,
    browsers: PoolId,
    gpu: PoolId,
    windows: PoolId,
) -> Result<(), StoreError> {
    let mut cloud = VmProviderSpec::new(ProviderKind::Simulator);
    cloud.name = "Simulated cloud".into();
    cloud.max_instances = "12".into();
    cloud.startup_script = "#!/bin/sh\necho 'agent {server_id} joins {pool_name}'\n".into();
    let cloud = store.add_config(&cloud)?;
    for (name, pool, kind) in [
        ("browser-standby", browsers, PoolKind::DockerAgent),
        ("gpu-standby", gpu, PoolKind::DockerAgent),
        ("windows-burst", windows, PoolKind::Server),
    ] {
        let mut spec = AutoScaleSpec::new(pool, kind, Some(zone));
        spec.name = name.into();
        if let Scaling::Agents(agents) = &mut spec.scaling
            && pool == gpu
        {
            agents.standby_gpus = "1".into();
            agents.agent_cores_override = "16".into();
            agents.agent_gpus_override = "2".into();
            agents.agent_memory_override_gb = "64".into();
        }
        store.save_autoscale(None, &spec, &Choice::Existing(cloud), None)?;
    }
    Ok(())
}

fn add_server(
    store: &mut Store,
    name: &str,
    zone: ZoneId,
    pool: Option<PoolId>,
    connection_type: ConnectionType,
    max_sessions: u32,
) -> Result<(), StoreError> {
    let mut draft = ServerDraft::new(Some(zone), pool);
    draft.friendly_name = name.to_owned();
    draft.host = format!("{name}.demo.internal");
    draft.connection_type = connection_type;
    draft.port = connection_type.default_port().to_string();
    draft.max_sessions = max_sessions.to_string();
    if connection_type == ConnectionType::Rdp {
        draft.credential_type = CredentialType::SsoPlaceholders;
    } else {
        draft.username = "kasm".into();
        draft.password = Secret::new("demo-password");
    }
    store.add_server(&draft.parse()?)?;
    Ok(())
}

fn agent(
    hostname: &str,
    zone: ZoneId,
    pool: Option<PoolId>,
    cores: &str,
    memory_mb: &str,
    gpus: &str,
) -> Result<crate::model::AgentSpec, StoreError> {
    let mut draft = AgentDraft::new(Some(zone), pool);
    draft.hostname = hostname.to_owned();
    draft.cores = cores.into();
    draft.memory_mb = memory_mb.into();
    draft.gpus = gpus.into();
    Ok(draft.parse()?)
}

fn start(
    store: &mut Store,
    pool: PoolId,
    user: &str,
    resources: Resources,
    staged: bool,
) -> Result<(), StoreError> {
    store.start_session(&SessionRequest {
        pool,
        user_label: user.to_owned(),
        resources,
        staged,
    })?;
    Ok(())
}
