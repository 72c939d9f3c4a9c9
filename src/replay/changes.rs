//! Candidate values for a what-if: `key=value` changes to an AutoScale config's fields (the
//! config file's keys), checked the way the form checks them.

use crate::model::autoscale::{AutoScaleSpec, Scaling};
use crate::model::vm_provider::MAX_INSTANCES;

/// The keys a what-if may change: the numbers the planner goes by.
pub const KEYS: [&str; 11] = [
    "standby_cores",
    "standby_memory_mb",
    "standby_gpus",
    "agent_cores_override",
    "agent_memory_override_gb",
    "agent_gpus_override",
    "minimum_available_sessions",
    "max_sessions_per_server",
    "reusable",
    "downscale_backoff_s",
    "max_instances",
];

/// The form's label of a key.
pub fn label(key: &str) -> &'static str {
    match key {
        "standby_cores" => "Standby Cores",
        "standby_memory_mb" => "Standby Memory (MB)",
        "standby_gpus" => "Standby GPUs",
        "agent_cores_override" => "Agent Cores Override",
        "agent_memory_override_gb" => "Agent Memory Override (GB)",
        "agent_gpus_override" => "Agent GPUs Override",
        "minimum_available_sessions" => "Minimum Available Sessions",
        "max_sessions_per_server" => "Max Simultaneous Sessions Per Server",
        "reusable" => "Reusable (true / false)",
        "downscale_backoff_s" => "Downscale Backoff (Seconds)",
        "max_instances" => "Max Instances",
        _ => "?",
    }
}

/// One `key=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// One of [`KEYS`].
    pub key: String,
    /// As typed.
    pub value: String,
}

impl Change {
    /// Parses `key=value`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some((key, value)) = text.split_once('=') else {
            return Err(format!(
                "'{text}': expected key=value, e.g. standby_cores=16"
            ));
        };
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(format!(
                "'{key}' is not a value a what-if can change; one of: {}",
                KEYS.join(", ")
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.trim().to_owned(),
        })
    }
}

/// A what-if field of a config: the text as typed, or the Reusable box.
enum Field<'a> {
    Text(&'a mut String),
    Flag(&'a mut bool),
}

/// The field `key` names in `spec`; `None` when its kind of config has no such field.
fn field<'a>(spec: &'a mut AutoScaleSpec, key: &str) -> Option<Field<'a>> {
    Some(Field::Text(match (&mut spec.scaling, key) {
        (_, "downscale_backoff_s") => &mut spec.downscale_backoff_s,
        (Scaling::Agents(a), "standby_cores") => &mut a.standby_cores,
        (Scaling::Agents(a), "standby_memory_mb") => &mut a.standby_memory_mb,
        (Scaling::Agents(a), "standby_gpus") => &mut a.standby_gpus,
        (Scaling::Agents(a), "agent_cores_override") => &mut a.agent_cores_override,
        (Scaling::Agents(a), "agent_memory_override_gb") => &mut a.agent_memory_override_gb,
        (Scaling::Agents(a), "agent_gpus_override") => &mut a.agent_gpus_override,
        (Scaling::Servers(s), "minimum_available_sessions") => &mut s.minimum_available_sessions,
        (Scaling::Servers(s), "max_sessions_per_server") => &mut s.max_sessions_per_server,
        (Scaling::Servers(s), "reusable") => return Some(Field::Flag(&mut s.reusable)),
        _ => return None,
    }))
}

/// `spec` with `changes` applied (`max_instances` is the VM Provider config's and is left to
/// the caller). The result still has to pass the form's checks (`values()`).
pub fn apply(spec: &AutoScaleSpec, changes: &[Change]) -> Result<AutoScaleSpec, String> {
    let mut changed = spec.clone();
    for change in changes.iter().filter(|c| c.key != "max_instances") {
        let kind = changed.scaling.kind().label();
        match field(&mut changed, &change.key) {
            Some(Field::Text(text)) => text.clone_from(&change.value),
            Some(Field::Flag(flag)) => {
                *flag = match change.value.as_str() {
                    "true" | "yes" | "on" => true,
                    "false" | "no" | "off" => false,
                    other => {
                        return Err(format!(
                            "{}: expected true or false, not '{other}'",
                            change.key
                        ));
                    }
                };
            }
            None => {
                return Err(format!(
                    "{}: this config has no such field (it is a {kind} config)",
                    change.key
                ));
            }
        }
    }
    Ok(changed)
}

/// The value of `key` in `spec`, as typed; `None` when the config has no such field.
pub fn value_of(spec: &AutoScaleSpec, key: &str) -> Option<String> {
    match field(&mut spec.clone(), key)? {
        Field::Text(text) => Some(text.trim().to_owned()),
        Field::Flag(flag) => Some(flag.to_string()),
    }
}

/// Max instances as a what-if sets it: a whole number the VM Provider config would take.
pub fn parse_max_instances(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_INSTANCES).contains(&i64::from(*n)))
        .ok_or_else(|| {
            format!(
                "max_instances: expected a whole number from 1 to {MAX_INSTANCES}, not '{text}'"
            )
        })
}

/// What differs between two versions of a config, in words ("standby_cores 8 → 16").
pub fn differences(current: &AutoScaleSpec, candidate: &AutoScaleSpec) -> Vec<String> {
    let mut out: Vec<String> = KEYS
        .iter()
        .filter_map(|key| {
            let (a, b) = (value_of(current, key)?, value_of(candidate, key)?);
            (a != b).then(|| format!("{key} {a} → {b}"))
        })
        .collect();
    if current.schedule != candidate.schedule {
        out.push("the timetable".to_owned());
    }
    out
}

/// The value of `max_instances` among `changes`, if one sets it.
pub fn max_instances(changes: &[Change]) -> Option<&str> {
    changes
        .iter()
        .rev()
        .find(|c| c.key == "max_instances")
        .map(|c| c.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PoolId, PoolKind, ZoneId};

    #[test]
    fn a_change_lands_on_its_field_and_a_wrong_one_says_why() {
        let spec = AutoScaleSpec::new(PoolId(1), PoolKind::DockerAgent, Some(ZoneId(1)));
        let changes = [
            Change::parse("standby_cores=16").unwrap(),
            Change::parse("downscale_backoff_s = 120").unwrap(),
        ];
        let changed = apply(&spec, &changes).unwrap();
        let Scaling::Agents(a) = &changed.scaling else {
            panic!("an agent config")
        };
        assert_eq!(a.standby_cores, "16");
        assert_eq!(changed.downscale_backoff_s, "120");
        assert!(Change::parse("standby").unwrap_err().contains("key=value"));
        assert!(Change::parse("name=x").unwrap_err().contains("one of"));
        assert_eq!(
            differences(&spec, &changed),
            ["standby_cores 4 → 16", "downscale_backoff_s 600 → 120"]
        );
        let servers_only = [Change::parse("reusable=true").unwrap()];
        assert!(
            apply(&spec, &servers_only)
                .unwrap_err()
                .contains("no such field")
        );
    }
}
