//! Configs are kept as the form's text and parsed into typed values once (issue 14): every
//! stored config reads back as it was typed (Draft → store → Draft), its typed values are
//! exactly the numbers typed — never a default stood in for a value that did not parse —
//! and every invalid draft is refused with its field, writing nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::configs::complete;
use common::{default_zone, temp_store};
use pooladmin::model::autoscale::{AutoScaleSpec, Scaling, ScalingValues};
use pooladmin::model::field::{AutoScaleField, AwsField, VmProviderField};
use pooladmin::model::vm_provider::{ProviderKind, ProviderSettings, VmProviderSpec};
use pooladmin::model::{PoolKind, Resources};
use pooladmin::store::{Choice, StoreError};
use proptest::prelude::*;

/// A number as an administrator might type it (spaces around it included), or not a
/// number at all.
fn typed(range: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = (String, Option<i64>)> {
    prop_oneof![
        4 => (range, "[ ]{0,2}").prop_map(|(n, pad)| (format!("{pad}{n}{pad}"), Some(n))),
        1 => "[a-z%.,-]{1,4}|[0-9]{1,3}[a-z]{1,2}|".prop_map(|t| (t, None)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn agent_configs_round_trip_and_act_on_what_was_typed(
        backoff in typed(0..=86_400),
        timeout in typed(60..=7_200),
        cores in typed(0..=512),
        memory in typed(0..=1_048_576),
        gpus in typed(0..=16),
        agent_cores in typed(1..=256),
    ) {
        let (_dir, mut store) = temp_store();
        let pool = store.add_pool("agents", PoolKind::DockerAgent).unwrap();
        let mut spec = AutoScaleSpec::new(pool, PoolKind::DockerAgent, Some(default_zone(&store)));
        spec.name = "typed".into();
        spec.downscale_backoff_s = backoff.0.clone();
        spec.provision_timeout_s = timeout.0.clone();
        if let Scaling::Agents(a) = &mut spec.scaling {
            a.standby_cores = cores.0.clone();
            a.standby_memory_mb = memory.0.clone();
            a.standby_gpus = gpus.0.clone();
            a.agent_cores_override = agent_cores.0.clone();
        }
        let provider = complete(ProviderKind::Simulator);
        let saved = store.save_autoscale(None, &spec, &Choice::New(provider), None);
        let fields = [
            (AutoScaleField::DownscaleBackoff, &backoff),
            (AutoScaleField::ProvisionTimeout, &timeout),
            (AutoScaleField::StandbyCores, &cores),
            (AutoScaleField::StandbyMemory, &memory),
            (AutoScaleField::StandbyGpus, &gpus),
            (AutoScaleField::AgentCoresOverride, &agent_cores),
        ];
        let all_typed = fields.iter().all(|(_, (_, n))| n.is_some());
        match saved {
            Ok(id) => {
                prop_assert!(all_typed, "saved with a field that is not a number: {fields:?}");
                let stored = store
                    .autoscale_configs()
                    .unwrap()
                    .into_iter()
                    .find(|c| c.id == id)
                    .unwrap()
                    .spec;
                let mut expected = spec.clone();
                expected.vm_provider = stored.vm_provider;
                prop_assert_eq!(&stored, &expected, "the draft reads back as typed");
                let values = stored.values().unwrap();
                prop_assert_eq!(Some(values.downscale_backoff_s), backoff.1);
                prop_assert_eq!(Some(values.provision_timeout_s), timeout.1);
                match values.scaling {
                    ScalingValues::Agents { standby, per_agent } => {
                        prop_assert_eq!(
                            standby,
                            Resources::new(cores.1.unwrap() as f64, memory.1.unwrap(), gpus.1.unwrap())
                        );
                        prop_assert_eq!(per_agent.cores, agent_cores.1.unwrap() as f64);
                    }
                    other => prop_assert!(false, "{other:?}"),
                }
            }
            Err(StoreError::Invalid(errors)) => {
                // Refused: each field that was not a number is named, and nothing was written.
                for (label, (text, n)) in fields {
                    if n.is_none() {
                        prop_assert!(errors.for_field(label).is_some(), "{label} = {text:?}: {errors}");
                    }
                }
                prop_assert!(store.autoscale_configs().unwrap().is_empty());
                prop_assert!(store.configs::<VmProviderSpec>().unwrap().is_empty());
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }

    #[test]
    fn vm_provider_configs_round_trip_with_their_secrets(
        max in typed(0..=1_000),
        volume in typed(8..=16_384),
    ) {
        let (_dir, mut store) = temp_store();
        let mut spec = complete(ProviderKind::Aws);
        spec.max_instances = max.0.clone();
        if let ProviderSettings::Aws(aws) = &mut spec.settings {
            aws.volume_size_gb = volume.0.clone();
        }
        match store.add_config(&spec) {
            Ok(id) => {
                prop_assert!(max.1.is_some() && volume.1.is_some());
                let stored = store
                    .configs::<VmProviderSpec>()
                    .unwrap()
                    .into_iter()
                    .find(|c| c.id == id)
                    .unwrap()
                    .spec;
                prop_assert_eq!(&stored, &spec, "text and secrets read back as typed");
                prop_assert_eq!(stored.max_instances(), Ok(max.1.unwrap() as u32));
                let ProviderSettings::Aws(aws) = &stored.settings else {
                    unreachable!("stored as AWS");
                };
                prop_assert_eq!(i64::from(aws.launch().unwrap().volume_size_gb), volume.1.unwrap());
            }
            Err(StoreError::Invalid(errors)) => {
                if max.1.is_none() {
                    prop_assert!(errors.for_field(VmProviderField::MaxInstances(ProviderKind::Aws)).is_some(), "{errors}");
                }
                if volume.1.is_none() {
                    prop_assert!(errors.for_field(AwsField::VolumeSize).is_some(), "{errors}");
                }
                prop_assert!(store.configs::<VmProviderSpec>().unwrap().is_empty());
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}
