//! What the window remembers between runs: the page on show and each table's filter and
//! sort. Kept in eframe's storage (beside the window's size and egui's own memory: column
//! widths, the theme); a state written by another version, or naming a pool that is gone,
//! falls back to the defaults rather than failing.

use super::page::Page;
use super::table::Sort;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The key under which the state is stored.
pub const STORAGE_KEY: &str = "pooladmin-ui-state";

/// One page's table settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    /// The text typed into its filter.
    pub filter: String,
    /// Its sort, for pages that sort.
    pub sort: Option<Sort>,
}

/// Everything remembered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The page last on show.
    pub page: Option<Page>,
    /// Each page's table settings, by the page's title.
    pub views: BTreeMap<String, ViewState>,
}

impl UiState {
    /// Reads the state from `storage`; nothing (or something unreadable) is the default.
    pub fn load(storage: &dyn eframe::Storage) -> Self {
        storage
            .get_string(STORAGE_KEY)
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the state to `storage`.
    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        match serde_json::to_string(self) {
            Ok(text) => storage.set_string(STORAGE_KEY, text),
            Err(e) => tracing::warn!(error = %e, "the window's state was not saved"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::Storage;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Memory(HashMap<String, String>);

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    #[test]
    fn it_comes_back_as_saved_and_garbage_is_the_default() {
        let mut storage = Memory::default();
        assert_eq!(UiState::load(&storage), UiState::default());
        let mut state = UiState {
            page: Some(Page::Pool(crate::model::PoolId(7))),
            ..UiState::default()
        };
        state.views.insert(
            "Servers".into(),
            ViewState {
                filter: "rdp".into(),
                sort: Some(Sort {
                    column: 2,
                    descending: true,
                }),
            },
        );
        state.save(&mut storage);
        assert_eq!(UiState::load(&storage), state);
        storage.set_string(STORAGE_KEY, "{not json".into());
        assert_eq!(UiState::load(&storage), UiState::default());
    }
}
