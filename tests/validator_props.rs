//! The validators never panic on arbitrary input, and accept what they should.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

use pooladmin::model::Field;
use pooladmin::model::ValidationErrors;
use pooladmin::model::cloud_ids::{aws_id, dns_name, key_fingerprint, ocid, region, uuid};
use pooladmin::model::field::GcpField;
use pooladmin::model::json_shapes::{object, object_list, string_list, string_map};
use pooladmin::model::pem_text::{PemKind, check_pem, check_ssh_public_key};
use pooladmin::model::startup_script::unknown_placeholders;
use proptest::prelude::*;

proptest! {
    #[test]
    fn no_validator_panics(text in "\\PC{0,200}") {
        // Whatever the text, each check answers: accepted, or refused with words that say
        // what is expected, filed under the field it was given.
        let fields = [GcpField::NetworkTags, GcpField::CustomLabels, GcpField::Metadata, GcpField::GuestAccelerators];
        let mut e = ValidationErrors::default();
        let list = string_list(&mut e, fields[0], &text, |_| None);
        let _ = string_map(&mut e, fields[1], &text, |_, _| None);
        let _ = object(&mut e, fields[2], &text, &["name"]);
        let _ = object_list(&mut e, fields[3], &text, "[]", |_| None);
        for error in e.errors() {
            prop_assert!(fields.iter().any(|f| Field::from(*f) == error.field), "{:?}", error.field);
            prop_assert!(error.message.trim().len() > 5, "{:?}", error.message);
        }
        // Not a list of strings (and not blank, which means "none"): refused, never taken.
        let is_list = serde_json::from_str::<Vec<String>>(&text).is_ok();
        if !text.trim().is_empty() && !is_list {
            prop_assert!(e.for_field(fields[0]).is_some(), "{text:?} was taken as {list:?}");
        } else {
            prop_assert!(e.for_field(fields[0]).is_none(), "{text:?}: {e}");
        }
        let answers = [
            uuid(&text),
            ocid(&text, "user"),
            aws_id(&text, "sg"),
            region(&text),
            dns_name(&text),
            key_fingerprint(&text),
            check_pem(&text, PemKind::Certificate),
            check_pem(&text, PemKind::PrivateKey),
            check_ssh_public_key(&text),
        ];
        for message in answers.into_iter().flatten() {
            prop_assert!(message.trim().len() > 5, "{:?}", message);
        }
        // A blank text is never taken for a certificate, a key or an id.
        if text.trim().is_empty() {
            prop_assert!(check_pem(&text, PemKind::Certificate).is_some());
            prop_assert!(aws_id(&text, "sg").is_some());
        }
        for name in unknown_placeholders(&text) {
            prop_assert!(!name.is_empty());
            prop_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{name}");
        }
    }

    #[test]
    fn json_text_shaped_like_json_never_panics(text in "[\\[\\]{}\",:a-z0-9 ]{0,80}") {
        let mut e = ValidationErrors::default();
        let _ = string_list(&mut e, GcpField::NetworkTags, &text, |_| None);
        let _ = object_list(&mut e, GcpField::GuestAccelerators, &text, "[]", |_| None);
    }

    #[test]
    fn generated_ids_pass(hex in "[0-9a-f]{32}", short in "[0-9a-f]{8}", long in "[0-9a-f]{17}", unique in "[a-z0-9]{3,60}") {
        let uuid_text = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
        prop_assert_eq!(uuid(&uuid_text), None);
        prop_assert_eq!(aws_id(&format!("sg-{short}"), "sg"), None);
        prop_assert_eq!(aws_id(&format!("ami-{long}"), "ami"), None);
        prop_assert_eq!(ocid(&format!("ocid1.instance.oc1.iad.{unique}"), "instance"), None);
    }

    #[test]
    fn generated_lists_and_maps_pass(items in prop::collection::vec("[a-z]{1,10}", 0..8)) {
        let mut e = ValidationErrors::default();
        let list = serde_json::to_string(&items).unwrap();
        prop_assert_eq!(string_list(&mut e, GcpField::NetworkTags, &list, |_| None), items.clone());
        let map: std::collections::BTreeMap<_, _> = items.iter().map(|i| (i.clone(), i.to_uppercase())).collect();
        let text = serde_json::to_string(&map).unwrap();
        prop_assert_eq!(string_map(&mut e, GcpField::CustomLabels, &text, |_, _| None), map);
        prop_assert!(e.is_empty());
    }
}

mod autoscale_values {
    use pooladmin::model::autoscale::{AutoScaleSpec, Scaling, ScalingValues};
    use pooladmin::model::field::AutoScaleField;
    use pooladmin::model::{PoolId, PoolKind, VmProviderId, ZoneId};
    use proptest::prelude::*;

    fn agent_config(backoff: &str, timeout: &str, standby: &str) -> AutoScaleSpec {
        let mut spec = AutoScaleSpec::new(PoolId(1), PoolKind::DockerAgent, Some(ZoneId(1)));
        spec.name = "agents".into();
        spec.vm_provider = Some(VmProviderId(1));
        spec.downscale_backoff_s = backoff.into();
        spec.provision_timeout_s = timeout.into();
        if let Scaling::Agents(a) = &mut spec.scaling {
            a.standby_cores = standby.into();
            a.agent_cores_override = "4".into();
            a.agent_memory_override_gb = "8".into();
        }
        spec
    }

    proptest! {
        // The scaler's numbers are exactly what was typed, or the config is refused with the
        // field that is wrong: there is no third way (no default stands in).
        #[test]
        fn values_are_the_typed_numbers_or_a_named_refusal(
            backoff in prop_oneof![(0i64..=86_400).prop_map(|n| n.to_string()), "[a-z ]{0,6}", (86_401i64..1_000_000).prop_map(|n| n.to_string())],
            timeout in prop_oneof![(60i64..=7_200).prop_map(|n| n.to_string()), "[a-z ]{0,6}", (0i64..60).prop_map(|n| n.to_string())],
            standby in prop_oneof![(0u32..=512).prop_map(|n| n.to_string()), "-?[a-z]{1,4}"],
        ) {
            let spec = agent_config(&backoff, &timeout, &standby);
            let backoff_ok = backoff.trim().parse::<i64>().is_ok_and(|n| (0..=86_400).contains(&n));
            let timeout_ok = timeout.trim().parse::<i64>().is_ok_and(|n| (60..=7_200).contains(&n));
            let standby_ok = standby
                .trim()
                .parse::<f64>()
                .is_ok_and(|n| n.is_finite() && (0.0..=100_000.0).contains(&n));
            match spec.values() {
                Ok(values) => {
                    prop_assert!(backoff_ok && timeout_ok && standby_ok);
                    prop_assert_eq!(values.downscale_backoff_s, backoff.trim().parse::<i64>().unwrap());
                    prop_assert_eq!(values.provision_timeout_s, timeout.trim().parse::<i64>().unwrap());
                    let ScalingValues::Agents { standby: s, .. } = values.scaling else {
                        panic!("an agent config");
                    };
                    prop_assert_eq!(s.cores, standby.trim().parse::<f64>().unwrap());
                }
                Err(errors) => {
                    prop_assert!(!(backoff_ok && timeout_ok && standby_ok));
                    prop_assert_eq!(errors.for_field(AutoScaleField::DownscaleBackoff).is_some(), !backoff_ok);
                    prop_assert_eq!(errors.for_field(AutoScaleField::ProvisionTimeout).is_some(), !timeout_ok);
                    prop_assert_eq!(errors.for_field(AutoScaleField::StandbyCores).is_some(), !standby_ok);
                }
            }
        }
    }
}
