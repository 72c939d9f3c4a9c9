//! A page of the window as the shell sees it (after egui_demo_lib's `View`): what the
//! navigation counts beside its title, and how it draws. The shell finds the view of the
//! page on show in [`Pages`] and never matches on pages itself.

use super::agents_page::AgentsPage;
use super::api_page::ApiPage;
use super::autoscale_page::AutoScalePage;
use super::catalog::Catalog;
use super::context::PageContext;
use super::events_page::EventsPage;
use super::nodes_page::NodesPage;
use super::page::Page;
use super::pool_detail::PoolDetail;
use super::pools_page::PoolsPage;
use super::servers_page::ServersPage;
use super::sessions_page::SessionsPage;
use super::settings_page::SettingsPage;
use super::shared_configs_page::SharedConfigsPage;
use super::staging_page::StagingPage;
use super::ui_state::ViewState;
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

    /// What it keeps between runs (its filter and sort); `None` for a page that has none.
    fn state(&self) -> Option<ViewState> {
        None
    }

    /// Takes back what [`View::state`] gave.
    fn restore(&mut self, _state: ViewState) {}
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
    nodes: NodesPage,
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
            Page::Nodes => &mut self.nodes,
            Page::General => &mut self.general,
        }
    }
}

/// A page whose own `ui` draws it: counted by `count` (or not at all), keeping its
/// `filter` (and `sort`) between runs when it has them.
macro_rules! view {
    ($page:ty $(, count |$catalog:ident| $count:expr)? $(, keeps $filter:ident $(, $sort:ident)?)?) => {
        impl View for $page {
            $(fn count(&self, $catalog: &Catalog) -> Option<usize> {
                Some($count)
            })?

            fn ui(&mut self, ui: &mut Ui, ctx: &mut PageContext<'_>) {
                <$page>::ui(self, ui, ctx);
            }

            $(fn state(&self) -> Option<ViewState> {
                Some(ViewState {
                    filter: self.$filter.clone(),
                    sort: None $(.or(Some(self.$sort)))?,
                })
            }

            fn restore(&mut self, state: ViewState) {
                self.$filter = state.filter;
                $(if let Some(sort) = state.sort {
                    self.$sort = sort;
                })?
            })?
        }
    };
}

view!(PoolsPage, count |catalog| catalog.pools.len(), keeps filter, sort);
view!(PoolDetail, count | catalog | catalog.pools.len());
view!(ServersPage, count |catalog| catalog.servers.len(), keeps filter, sort);
view!(AgentsPage, count |catalog| catalog.agents.len(), keeps filter, sort);
view!(ZonesPage, count | catalog | catalog.zones.len());
view!(StagingPage, count | catalog | catalog.staging.len());
view!(SessionsPage, count |catalog| catalog.session_count() as usize, keeps filter, sort);
view!(AutoScalePage, count | catalog | catalog.autoscale.len());
view!(
    SharedConfigsPage<VmProviderSpec>,
    count | catalog | catalog.vm_providers.len()
);
view!(
    SharedConfigsPage<DnsProviderSpec>,
    count | catalog | catalog.dns_providers.len()
);
view!(
    SharedConfigsPage<LdapSpec>,
    count | catalog | catalog.ldap.len()
);
view!(EventsPage, keeps filter);
view!(ApiPage);
view!(NodesPage);
view!(SettingsPage);
