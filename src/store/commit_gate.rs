//! The store's one seam for the crash tests: every commit of a connection can be refused,
//! rolled back as if the process had died just before it.

use super::{Store, StoreError};

impl Store {
    /// Asks `refuse` at each commit of this connection (every write, and every transaction
    /// as a whole); from the first `true` on, that commit is rolled back and the write
    /// fails. The scaler's failpoint counts its steps here, so no write can slip past it.
    pub fn refuse_commits_when(
        &self,
        refuse: impl FnMut() -> bool + Send + 'static,
    ) -> Result<(), StoreError> {
        Ok(self.conn.refuse_commits_when(refuse)?)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_refused_commit_writes_nothing_and_the_ones_before_it_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("gate.sqlite")).unwrap();
        let commits = Arc::new(AtomicUsize::new(0));
        let counted = commits.clone();
        // The first commit passes, the second and later are refused.
        store
            .refuse_commits_when(move || counted.fetch_add(1, Ordering::SeqCst) >= 1)
            .unwrap();
        store
            .add_pool("First", crate::model::PoolKind::Server)
            .unwrap();
        assert!(
            store
                .add_pool("Second", crate::model::PoolKind::Server)
                .is_err()
        );
        let names: Vec<_> = store.pools().unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["First"]);
        assert!(commits.load(Ordering::SeqCst) >= 2);
    }
}
