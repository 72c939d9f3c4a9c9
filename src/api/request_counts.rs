//! The API's answers counted by route and status, for `GET /metrics`.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Requests answered, by route and status.
#[derive(Default)]
pub struct RequestCounts(Mutex<BTreeMap<(String, u16), u64>>);

impl RequestCounts {
    pub(super) fn add(&self, route: &str, status: u16) {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry((route.to_owned(), status)).or_default() += 1;
    }

    pub(super) fn snapshot(&self) -> BTreeMap<(String, u16), u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
