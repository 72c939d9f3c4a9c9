//! Confirmation before anything destructive.

use crate::model::dns_provider::DnsProviderSpec;
use crate::model::ldap::LdapSpec;
use crate::model::vm_provider::VmProviderSpec;
use crate::model::{
    AgentId, AutoScaleId, DnsProviderId, LdapId, PoolId, ServerId, SessionId, StagingId,
    VmProviderId, ZoneId,
};
use crate::store::{Store, StoreError};
use egui::{Id, Key, Modifiers, RichText, Ui};

/// A destructive action waiting for confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Delete a pool.
    DeletePool(PoolId),
    /// Delete a server.
    DeleteServer(ServerId),
    /// Delete a docker agent.
    DeleteAgent(AgentId),
    /// Delete a zone.
    DeleteZone(ZoneId),
    /// Delete a staging config.
    DeleteStaging(StagingId),
    /// End a session.
    EndSession(SessionId),
    /// Delete an AutoScale config.
    DeleteAutoScale(AutoScaleId),
    /// Delete a VM Provider config.
    DeleteVmProvider(VmProviderId),
    /// Delete a DNS Provider config.
    DeleteDnsProvider(DnsProviderId),
    /// Delete an LDAP config.
    DeleteLdap(LdapId),
    /// Revoke a portal key of the API.
    RevokeApiKey(i64),
}

impl Action {
    /// Carries the action out in one transaction.
    pub fn apply(self, store: &mut Store) -> Result<(), StoreError> {
        match self {
            Action::DeletePool(id) => store.delete_pool(id),
            Action::DeleteServer(id) => store.delete_server(id),
            Action::DeleteAgent(id) => store.delete_agent(id),
            Action::DeleteZone(id) => store.delete_zone(id),
            Action::DeleteStaging(id) => store.delete_staging(id),
            Action::EndSession(id) => store.end_session(id),
            Action::DeleteAutoScale(id) => store.delete_autoscale(id),
            Action::DeleteVmProvider(id) => store.delete_config::<VmProviderSpec>(id),
            Action::DeleteDnsProvider(id) => store.delete_config::<DnsProviderSpec>(id),
            Action::DeleteLdap(id) => store.delete_config::<LdapSpec>(id),
            Action::RevokeApiKey(id) => store.revoke_api_key_id(id),
        }
    }
}

/// The question and its answer buttons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    /// Dialog title ("Delete pool?").
    pub title: String,
    /// What will happen, named.
    pub message: String,
    /// The confirming button ("Delete").
    pub button: &'static str,
    /// What happens on confirmation.
    pub action: Action,
    /// Shown after success.
    pub done: String,
}

impl Confirm {
    /// Asks before deleting `name`, a `what` ("Server"), with `consequence` said plainly.
    pub fn delete(what: &str, name: &str, consequence: &str, action: Action) -> Self {
        Self {
            title: format!("Delete {}?", what.to_lowercase()),
            message: format!("{what} {name} will be deleted. {consequence}"),
            button: "Delete",
            action,
            done: format!("{what} {name} deleted"),
        }
    }

    /// Shows the dialog: `Some(true)` confirmed, `Some(false)` cancelled (Escape too).
    pub fn show(&self, ui: &Ui) -> Option<bool> {
        let ctx = ui.ctx().clone();
        let answer = egui::Modal::new(Id::unique("confirm")).show(&ctx, |ui| {
            ui.set_max_width(420.0);
            ui.heading(&self.title);
            ui.label(&self.message);
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                let confirm = ui
                    .button(RichText::new(self.button).color(ui.visuals().error_fg_color))
                    .clicked();
                let cancel = ui.button("Cancel").clicked();
                (confirm, cancel)
            })
            .inner
        });
        let (confirm, cancel) = answer.inner;
        let escape = ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        if confirm {
            Some(true)
        } else if cancel || escape {
            Some(false)
        } else {
            None
        }
    }
}
