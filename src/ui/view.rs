//! A page of the window as the shell sees it (after egui_demo_lib's `View`): what the
//! navigation counts beside its title, and how it draws. The shell finds the view of the
//! page on show in [`Pages`] and never matches on pages itself.

use super::agents_page::AgentsPage;
use super::api_page::ApiPage;
use super::autoscale_page::AutoScalePage;
use super::catalog::Catalog;
use super::context::PageContext;
use super::events_page::EventsPage;
use super::page::Page;
use super::pool_detail::PoolDetail;
use super::pools_page::PoolsPage;
use super::servers_page::ServersPage;
use super::sessions_page::SessionsPage;
use super::settings_page::SettingsPage;
use super::shared_configs_page::SharedConfigsPage;
use super::staging_page::StagingPage;
use super::zones_page::ZonesPage;
use crate::model::dns_provider::DnsProviderSpec;
use crate::model::ldap::LdapSpec;
use crate::model::vm_provider::VmProviderSpec;
use egui::Ui;

/// One page of the window.
pub trait View {
    /// How many rows it lists, shown beside its title; `None` where a count says nothing
    /// (the event log only grows, settings are not rows).
    fn count(&self, _catalog: &Catalog) -> Option<usize> {
        None
    }

    /// Draws it for one frame.
    fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>);
}

/// Each page's view, with what it keeps between frames (sort, filters, open forms).
#[derive(Default)]
pub struct Pages {
    pools: PoolsPage,
    pool_detail: PoolDetail,
    servers: ServersPage,
    agents: AgentsPage,
    zones: ZonesPage,
    staging: StagingPage,
    sessions: SessionsPage,
    autoscale: AutoScalePage,
    vm_providers: SharedConfigsPage<VmProviderSpec>,
    dns_providers: SharedConfigsPage<DnsProviderSpec>,
    ldap: SharedConfigsPage<LdapSpec>,
    events: EventsPage,
    api: ApiPage,
    general: SettingsPage,
}

impl Pages {
    /// The view of `page`.
    pub fn view(&mut self, page: Page) -> &mut dyn View {
        match page {
            Page::Pools => &mut self.pools,
            Page::Pool(_) => &mut self.pool_detail,
            Page::Servers => &mut self.servers,
            Page::DockerAgents => &mut self.agents,
            Page::Zones => &mut self.zones,
            Page::Staging => &mut self.staging,
            Page::Sessions => &mut self.sessions,
            Page::AutoScale => &mut self.autoscale,
            Page::VmProviders => &mut self.vm_providers,
            Page::DnsProviders => &mut self.dns_providers,
            Page::Ldap => &mut self.ldap,
            Page::Events => &mut self.events,
            Page::Api => &mut self.api,
            Page::General => &mut self.general,
        }
    }
}

/// A page whose own `ui` draws it, counted by `count` (or not at all).
macro_rules! view {
    ($page:ty) => {
        impl View for $page {
            fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
                <$page>::ui(self, ui, ctx);
            }
        }
    };
    ($page:ty, |$catalog:ident| $count:expr) => {
        impl View for $page {
            fn count(&self, $catalog: &Catalog) -> Option<usize> {
                Some($count)
            }

            fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
                <$page>::ui(self, ui, ctx);
            }
        }
    };
}

view!(PoolsPage, |catalog| catalog.pools.len());
view!(PoolDetail, |catalog| catalog.pools.len());
view!(ServersPage, |catalog| catalog.servers.len());
view!(AgentsPage, |catalog| catalog.agents.len());
view!(ZonesPage, |catalog| catalog.zones.len());
view!(StagingPage, |catalog| catalog.staging.len());
view!(SessionsPage, |catalog| catalog.session_count() as usize);
view!(AutoScalePage, |catalog| catalog.autoscale.len());
view!(SharedConfigsPage<VmProviderSpec>, |catalog| catalog
    .vm_providers
    .len());
view!(SharedConfigsPage<DnsProviderSpec>, |catalog| catalog
    .dns_providers
    .len());
view!(SharedConfigsPage<LdapSpec>, |catalog| catalog.ldap.len());
view!(EventsPage);
view!(ApiPage);
view!(SettingsPage);
