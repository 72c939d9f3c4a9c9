//! Driving the window through AccessKit, as a person would.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use pooladmin::store::Store;
use pooladmin::ui::PoolAdminApp;

/// Lets a click or keystroke take effect. Toasts animate for seconds, so `run` (which
/// waits for the window to settle) would wait for them; a few frames are enough.
pub fn settle(h: &mut Harness<'_, PoolAdminApp>) {
    h.run_steps(4);
}

pub fn harness(store: Store) -> Harness<'static, PoolAdminApp> {
    harness_with(PoolAdminApp::new(store))
}

/// A harness on an app set up by the test (a scaler attached, say).
pub fn harness_with(app: PoolAdminApp) -> Harness<'static, PoolAdminApp> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_ui_state(|ui, app: &mut PoolAdminApp| app.show(ui), app)
}

/// Replaces the text of the one-line input labelled `label`.
pub fn type_into(h: &mut Harness<'_, PoolAdminApp>, label: &str, text: &str) {
    type_into_role(h, Role::TextInput, label, text);
}

pub fn type_into_role(h: &mut Harness<'_, PoolAdminApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    settle(h);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    settle(h);
    h.get_by_role_and_label(role, label).type_text(text);
    settle(h);
}

pub fn click(h: &mut Harness<'_, PoolAdminApp>, label: &str) {
    h.get_by_label(label).click();
    settle(h);
}

/// Steps the window until `done` holds, or panics with `what` after `patience` — for
/// answers that come from another thread (a scaler, a directory).
pub fn until(
    h: &mut Harness<'_, PoolAdminApp>,
    patience: std::time::Duration,
    what: &str,
    mut done: impl FnMut(&Harness<'_, PoolAdminApp>) -> bool,
) {
    let deadline = std::time::Instant::now() + patience;
    loop {
        h.run_steps(1);
        if done(h) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} within {patience:?}"
        );
        std::thread::yield_now();
    }
}

/// Steps the window until the button `label` stands still (a dialog sizes itself over its
/// first frames), so a click lands on it.
pub fn until_still(h: &mut Harness<'_, PoolAdminApp>, role: Role, label: &str) {
    let mut last = None;
    for _ in 0..200 {
        h.run_steps(1);
        let rect = h.query_by_role_and_label(role, label).map(|n| n.rect());
        if rect.is_some() && rect == last {
            return;
        }
        last = rect;
    }
    panic!("{label} never stood still");
}
