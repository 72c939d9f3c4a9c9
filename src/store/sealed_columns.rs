//! Every column that holds a sealed value, and the one-time re-sealing that binds the values
//! sealed before schema V13 to their places (table, column, row).

use super::db::{Conn, DbError, params};
use super::sealer::{SealedAt, Sealer};

/// A column that holds sealed values (every such table is keyed by `id`).
#[derive(Clone, Copy, Debug)]
pub struct SealedColumn {
    table: &'static str,
    column: &'static str,
}

impl SealedColumn {
    /// Writes `sealed` (sealed for [`SealedColumn::at`] `row`) into row `row`: the way a
    /// row whose id the insert chose gets its secret, in the insert's transaction.
    pub fn write(self, tx: &Conn, row: i64, sealed: Option<Vec<u8>>) -> Result<(), DbError> {
        // Table and column names are the constants below, never input.
        tx.prepare_cached(&format!(
            "UPDATE {table} SET {column} = ?1 WHERE id = ?2",
            table = self.table,
            column = self.column
        ))?
        .execute(params![sealed, row])?;
        Ok(())
    }

    /// The place of the value in row `row`.
    pub const fn at(self, row: i64) -> SealedAt {
        SealedAt {
            table: self.table,
            column: self.column,
            row,
        }
    }
}

macro_rules! sealed_columns {
    ($($name:ident => $table:literal . $column:literal;)*) => {
        $(
            #[doc = concat!("`", $table, ".", $column, "`")]
            pub const $name: SealedColumn = SealedColumn {
                table: $table,
                column: $column,
            };
        )*
        /// All of them, for re-sealing.
        const ALL: &[SealedColumn] = &[$($name),*];
    };
}

sealed_columns! {
    KEY_CHECK => "installation"."key_check";
    SERVER_PASSWORD => "servers"."password_sealed";
    LDAP_SECRETS => "ldap_configs"."secrets";
    VM_PROVIDER_SECRETS => "vm_provider_configs"."secrets";
    DNS_PROVIDER_SECRETS => "dns_provider_configs"."secrets";
    AUTOSCALE_SECRETS => "autoscale_configs"."secrets";
    JOIN_SECRET => "instances"."join_secret";
    CHECKIN_SECRET => "instances"."checkin_secret";
    API_TLS_KEY => "api_settings"."tls_key_sealed";
}

/// The sealed column `table.column`, if it is one.
pub fn sealed_column(table: &str, column: &str) -> Option<SealedColumn> {
    ALL.iter()
        .copied()
        .find(|c| c.table == table && c.column == column)
}

/// The `installation` row's place for its key check value.
pub const KEY_CHECK_AT: SealedAt = KEY_CHECK.at(1);

/// Whether values sealed before schema V13 still wait to be bound to their places.
pub fn rebinding_due(conn: &Conn) -> Result<bool, DbError> {
    let bound: bool = conn.query_row(
        "SELECT sealed_bound FROM installation WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    Ok(!bound)
}

/// Re-seals every value sealed before schema V13 for its own place, once, in one
/// transaction. A value that does not open (damaged, or sealed with another key) stays as it
/// is and is counted: it did not open before either. Returns how many were re-sealed and how
/// many did not open.
pub fn bind_to_places(conn: &mut Conn, sealer: &Sealer) -> Result<(usize, usize), DbError> {
    let tx = conn.transaction()?;
    let (mut rebound, mut unopened) = (0, 0);
    for column in ALL {
        // Table and column names are the constants above, never input.
        let rows: Vec<(i64, Vec<u8>)> = tx
            .prepare(&format!(
                "SELECT id, {col} FROM {table} WHERE {col} IS NOT NULL",
                col = column.column,
                table = column.table
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (row, sealed) in rows {
            if sealer.open(Some(&sealed), column.at(row)).is_some() {
                continue; // sealed for its place already (the key check of a new database)
            }
            let Some(secret) = sealer.open_unbound(&sealed) else {
                unopened += 1;
                continue;
            };
            column.write(&tx, row, sealer.seal(&secret, column.at(row)))?;
            rebound += 1;
        }
    }
    tx.execute("UPDATE installation SET sealed_bound = 1 WHERE id = 1", [])?;
    tx.commit()?;
    Ok((rebound, unopened))
}
