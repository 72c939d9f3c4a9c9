//! When pooladmin first saw each owned VM whose cloud gave no readable creation time: the
//! orphan sweep measures such a VM's age from here, so it is neither taken for new on every
//! pass (and never swept) nor for old (and swept at once).

use super::db::params;
use super::rows::{timestamp, to_millis};
use super::{Store, StoreError};
use crate::model::VmProviderId;
use jiff::Timestamp;
use std::collections::HashSet;

impl Store {
    /// When VM `cloud_id` of config `provider` was first seen; `now` when this is the first.
    pub fn first_seen(
        &mut self,
        provider: VmProviderId,
        cloud_id: &str,
        now: Timestamp,
    ) -> Result<Timestamp, StoreError> {
        self.conn.execute(
            "INSERT INTO vm_sightings (vm_provider_id, cloud_id, first_seen)
             VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![provider.0, cloud_id, to_millis(now)],
        )?;
        Ok(self.conn.query_row(
            "SELECT first_seen FROM vm_sightings WHERE vm_provider_id = ?1 AND cloud_id = ?2",
            params![provider.0, cloud_id],
            |r| timestamp(r, 0),
        )?)
    }

    /// Forgets the sightings of config `provider`'s VMs that a complete listing no longer
    /// holds.
    pub fn forget_unlisted(
        &mut self,
        provider: VmProviderId,
        listed: &HashSet<&str>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let known: Vec<String> = {
            let mut stmt =
                tx.prepare_cached("SELECT cloud_id FROM vm_sightings WHERE vm_provider_id = ?1")?;
            stmt.query_map([provider.0], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for cloud_id in known.iter().filter(|id| !listed.contains(id.as_str())) {
            tx.execute(
                "DELETE FROM vm_sightings WHERE vm_provider_id = ?1 AND cloud_id = ?2",
                params![provider.0, cloud_id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
