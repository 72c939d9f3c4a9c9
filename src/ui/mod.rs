//! The egui window: draws state, sends changes to the store, never blocks on the network.

pub mod about;
pub mod agent_form;
pub mod agent_table;
pub mod agents_page;
pub mod app;
pub mod autoscale_page;
pub mod autoscale_table;
pub mod catalog;
pub mod config_io;
pub mod confirm;
pub mod context;
pub mod dialog;
pub mod editor;
pub mod file_dialog;
pub mod file_import;
pub mod fonts;
pub mod form;
pub mod open_error;
pub mod page;
pub mod pool_detail;
pub mod pools_page;
pub mod provider_form;
pub mod server_form;
pub mod server_table;
pub mod servers_page;
pub mod sessions_page;
pub mod shared_configs_page;
pub mod staging_page;
pub mod table;
pub mod wizard;
pub mod zones_page;

pub use app::PoolAdminApp;
pub use open_error::OpenErrorApp;
pub use page::Page;
