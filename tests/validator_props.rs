//! The validators never panic on arbitrary input, and accept what they should.

use pooladmin::model::ValidationErrors;
use pooladmin::model::cloud_ids::{aws_id, dns_name, key_fingerprint, ocid, region, uuid};
use pooladmin::model::json_shapes::{object, object_list, string_list, string_map};
use pooladmin::model::pem_text::{PemKind, check_pem, check_ssh_public_key};
use pooladmin::model::startup_script::unknown_placeholders;
use proptest::prelude::*;

proptest! {
    #[test]
    fn no_validator_panics(text in "\\PC{0,200}") {
        let mut e = ValidationErrors::default();
        let _ = string_list(&mut e, "F", &text, |_| None);
        let _ = string_map(&mut e, "F", &text, |_, _| None);
        let _ = object(&mut e, "F", &text, &["name"]);
        let _ = object_list(&mut e, "F", &text, "[]", |_| None);
        let _ = (uuid(&text), ocid(&text, "user"), aws_id(&text, "sg"), region(&text));
        let _ = (dns_name(&text), key_fingerprint(&text));
        let _ = check_pem(&text, PemKind::Certificate);
        let _ = check_pem(&text, PemKind::PrivateKey);
        let _ = check_ssh_public_key(&text);
        let _ = unknown_placeholders(&text);
    }

    #[test]
    fn json_text_shaped_like_json_never_panics(text in "[\\[\\]{}\",:a-z0-9 ]{0,80}") {
        let mut e = ValidationErrors::default();
        let _ = string_list(&mut e, "F", &text, |_| None);
        let _ = object_list(&mut e, "F", &text, "[]", |_| None);
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
        prop_assert_eq!(string_list(&mut e, "F", &list, |_| None), items.clone());
        let map: std::collections::BTreeMap<_, _> = items.iter().map(|i| (i.clone(), i.to_uppercase())).collect();
        let text = serde_json::to_string(&map).unwrap();
        prop_assert_eq!(string_map(&mut e, "G", &text, |_, _| None), map);
        prop_assert!(e.is_empty());
    }
}
