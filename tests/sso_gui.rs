//! Single sign-on: a server whose connection fields say `{sso_username}` / `{sso_cred}`
//! makes Start session ask for the user's credential, resolves the fields for that session
//! only, and never writes the credential to the database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    clippy::print_stdout
)]

mod common;

use common::ui_driver::{click, harness, settle, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use pooladmin::model::server::CredentialType;
use pooladmin::model::{PoolKind, Secret};

const CREDENTIAL: &str = "Sup3r-Secret-Cred";

#[test]
fn start_session_asks_for_the_credential_and_keeps_it_in_memory_only() {
    let (dir, mut store) = common::temp_store();
    let zone = common::default_zone(&store);
    let pool = store.add_pool("Windows", PoolKind::Server).unwrap();
    let mut spec = common::server_spec("vdi-01", zone, Some(pool), 2);
    spec.credential_type = CredentialType::SsoPlaceholders;
    spec.username = r"CORP\{sso_username}".into();
    spec.password = Secret::new("{sso_cred}");
    store.add_server(&spec).unwrap();
    let mut h = harness(store);
    settle(&mut h);
    h.get_by_label_contains("Sessions  (").click();
    settle(&mut h);
    click(&mut h, "Start session");
    type_into(&mut h, "User", "alice");
    click(&mut h, "Start");
    assert!(
        h.query_by_label_contains("type the user's credential")
            .is_some(),
        "no credential, no session"
    );
    assert!(h.state().store().sessions().unwrap().is_empty());

    h.get_by_role_and_label(Role::PasswordInput, "Credential")
        .focus();
    settle(&mut h);
    h.get_by_role_and_label(Role::PasswordInput, "Credential")
        .type_text(CREDENTIAL);
    settle(&mut h);
    click(&mut h, "Start");
    assert!(
        h.query_by_label_contains(r"connects as CORP\alice (single sign-on")
            .is_some()
    );
    assert!(
        h.query_by_label(r"CORP\alice (single sign-on)").is_some(),
        "the table says how the session connects"
    );
    assert_eq!(h.state().store().sessions().unwrap().len(), 1);

    // Nothing on disk holds the credential: the database, its journal, anything beside it.
    drop(h);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !bytes
                .windows(CREDENTIAL.len())
                .any(|w| w == CREDENTIAL.as_bytes()),
            "{} holds the credential",
            path.display()
        );
    }
}
