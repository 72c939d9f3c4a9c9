//! Computer objects: created in the config's OU with a fresh password before the VM exists,
//! reclaimed (password reset) when an earlier attempt of the same instance made it, and
//! deleted when the server goes. pooladmin only ever touches objects whose description
//! carries its owner mark.

use super::DirectoryError;
use super::connection::{Directory, NO_SUCH_OBJECT};
use crate::model::Secret;
use crate::model::ldap::LdapSpec;
use ldap3::{Mod, Scope, SearchEntry, dn_escape, ldap_escape};
use std::collections::HashSet;

/// LDAP result code: an entry with that name exists already.
const ENTRY_ALREADY_EXISTS: u32 = 68;
/// `userAccountControl` of a workstation account (WORKSTATION_TRUST_ACCOUNT).
const WORKSTATION_TRUST_ACCOUNT: &str = "4096";

/// One computer object as pooladmin wants it.
#[derive(Clone, Debug)]
pub struct ComputerRecord {
    /// The OU it goes in.
    pub ou_dn: String,
    /// The computer (NetBIOS) name, without the trailing `$`.
    pub name: String,
    /// The domain's DNS name, for `dNSHostName`.
    pub domain: Option<String>,
    /// The password the VM joins with.
    pub password: Secret,
    /// The mark in `description` that says pooladmin (this installation, this instance)
    /// made it.
    pub owner: String,
}

impl ComputerRecord {
    /// Its distinguished name.
    pub fn dn(&self) -> String {
        computer_dn(&self.name, &self.ou_dn)
    }
}

/// The DN of computer `name` in `ou_dn`.
pub fn computer_dn(name: &str, ou_dn: &str) -> String {
    format!("CN={},{}", dn_escape(name), ou_dn.trim())
}

/// What became of a computer record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Made now.
    Created,
    /// An earlier attempt for the same instance made it; its password is now the new one.
    Reclaimed,
    /// The name belongs to another object (its DN): try another name.
    Taken(String),
}

/// What became of a delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Deleted now.
    Removed,
    /// It was not there.
    Gone,
    /// An object of that name exists but pooladmin did not make it: left alone.
    NotOurs,
}

/// Creates the computer object of `record`, or reclaims it if this instance made it before.
pub async fn ensure_computer(
    spec: &LdapSpec,
    record: &ComputerRecord,
) -> Result<Placement, DirectoryError> {
    let mut directory = Directory::open(spec).await?;
    let placement = place(&mut directory, spec, record).await;
    directory.close().await;
    placement
}

async fn place(
    directory: &mut Directory,
    spec: &LdapSpec,
    record: &ComputerRecord,
) -> Result<Placement, DirectoryError> {
    let ou = record.ou_dn.trim();
    if !directory.exists(ou).await? {
        return Err(DirectoryError::refused(format!(
            "the Active Directory Computer OU {ou} does not exist in the directory"
        )));
    }
    let dn = record.dn();
    let account = format!("{}$", record.name);
    // sAMAccountName is unique in the whole domain, not only in the OU.
    let (entries, _) = directory
        .ldap
        .with_timeout(directory.timeout)
        .search(
            spec.search_base.trim(),
            Scope::Subtree,
            &format!("(sAMAccountName={})", ldap_escape(account.as_str())),
            vec!["description"],
        )
        .await
        .and_then(|r| r.success())
        .map_err(|e| DirectoryError::ldap(&format!("cannot look for {account}"), &e))?;
    if let Some(entry) = entries.into_iter().next() {
        let entry = SearchEntry::construct(entry);
        let ours = entry.dn.eq_ignore_ascii_case(&dn) && owned_by(&entry, &record.owner);
        if !ours {
            return Ok(Placement::Taken(entry.dn));
        }
        let reset = Mod::Replace(
            b"unicodePwd".to_vec(),
            HashSet::from([unicode_pwd(&record.password)]),
        );
        directory
            .ldap
            .with_timeout(directory.timeout)
            .modify(&dn, vec![reset])
            .await
            .and_then(|r| r.success())
            .map_err(|e| password_refused(directory, &dn, e))?;
        return Ok(Placement::Reclaimed);
    }
    let text = |value: &str| HashSet::from([value.as_bytes().to_vec()]);
    let mut attributes = vec![
        (
            b"objectClass".to_vec(),
            ["top", "person", "organizationalPerson", "user", "computer"]
                .iter()
                .map(|c| c.as_bytes().to_vec())
                .collect(),
        ),
        (b"cn".to_vec(), text(&record.name)),
        (b"sAMAccountName".to_vec(), text(&account)),
        (
            b"userAccountControl".to_vec(),
            text(WORKSTATION_TRUST_ACCOUNT),
        ),
        (b"description".to_vec(), text(&record.owner)),
        (
            b"unicodePwd".to_vec(),
            HashSet::from([unicode_pwd(&record.password)]),
        ),
    ];
    if let Some(domain) = &record.domain {
        attributes.push((
            b"dNSHostName".to_vec(),
            text(&format!("{}.{domain}", record.name.to_lowercase())),
        ));
    }
    let added = directory
        .ldap
        .with_timeout(directory.timeout)
        .add(&dn, attributes)
        .await
        .and_then(|r| r.success());
    match added {
        Ok(_) => Ok(Placement::Created),
        Err(ldap3::LdapError::LdapResult { result }) if result.rc == ENTRY_ALREADY_EXISTS => {
            Ok(Placement::Taken(dn))
        }
        Err(e) => Err(password_refused(directory, &dn, e)),
    }
}

/// The directory's refusal to write `dn`, with a hint when the connection was not
/// encrypted (Active Directory sets passwords only over LDAPS or StartTLS).
fn password_refused(directory: &Directory, dn: &str, error: ldap3::LdapError) -> DirectoryError {
    let hint = if directory.encrypted {
        ""
    } else {
        " (Active Directory sets passwords only over ldaps:// or StartTLS)"
    };
    let classified = DirectoryError::ldap(&format!("cannot write {dn}"), &error);
    DirectoryError {
        message: format!("{}{hint}", classified.message),
        ..classified
    }
}

fn owned_by(entry: &SearchEntry, owner: &str) -> bool {
    entry
        .attrs
        .get("description")
        .is_some_and(|values| values.iter().any(|v| v == owner))
}

/// `unicodePwd` takes the password in double quotes, as UTF-16LE.
fn unicode_pwd(password: &Secret) -> Vec<u8> {
    format!("\"{}\"", password.expose())
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// Deletes the computer object `dn` if pooladmin made it (its description is `owner`).
pub async fn delete_computer(
    spec: &LdapSpec,
    dn: &str,
    owner: &str,
) -> Result<Removal, DirectoryError> {
    let mut directory = Directory::open(spec).await?;
    let removal = remove(&mut directory, dn, owner).await;
    directory.close().await;
    removal
}

async fn remove(
    directory: &mut Directory,
    dn: &str,
    owner: &str,
) -> Result<Removal, DirectoryError> {
    let found = directory
        .ldap
        .with_timeout(directory.timeout)
        .search(dn, Scope::Base, "(objectClass=*)", vec!["description"])
        .await
        .and_then(|r| r.success());
    let entries = match found {
        Ok((entries, _)) => entries,
        Err(ldap3::LdapError::LdapResult { result }) if result.rc == NO_SUCH_OBJECT => {
            return Ok(Removal::Gone);
        }
        Err(e) => return Err(DirectoryError::ldap(&format!("cannot read {dn}"), &e)),
    };
    let Some(entry) = entries.into_iter().next() else {
        return Ok(Removal::Gone);
    };
    if !owned_by(&SearchEntry::construct(entry), owner) {
        return Ok(Removal::NotOurs);
    }
    let deleted = directory
        .ldap
        .with_timeout(directory.timeout)
        .delete(dn)
        .await
        .and_then(|r| r.success());
    match deleted {
        Ok(_) => Ok(Removal::Removed),
        Err(ldap3::LdapError::LdapResult { result }) if result.rc == NO_SUCH_OBJECT => {
            Ok(Removal::Gone)
        }
        Err(e) => Err(DirectoryError::ldap(&format!("cannot delete {dn}"), &e)),
    }
}
