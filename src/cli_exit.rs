//! How a command ends, the same on every command: its error once on standard error, and an
//! exit code that says whose move it is.

use pooladmin::api::client::ClientError;
use pooladmin::cloud::CloudError;
use pooladmin::config_file::ImportError;
use pooladmin::store::{OpenError, StoreError};
use std::process::ExitCode;

/// What every command's help says of its exit codes.
pub const EXIT_CODES: &str = "Exit codes: 0 done; 1 your input is wrong (an argument, a file, a \
    name, a value); 2 refused by the state of things (the database held by another pooladmin \
    or written by a newer one, a cloud or pooladmin's API unreachable or refusing).";

/// Your input is wrong.
pub const INPUT: u8 = 1;
/// Refused by the state of things.
pub const REFUSED: u8 = 2;

/// The exit code of a command, its error (if any) on standard error.
pub fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pooladmin: {}", said_once(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The error and its causes joined by ": ", a cause left out where the words before it say it
/// already (an error that quotes its source would otherwise be said twice).
pub fn said_once(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// 2 when the state of things refused (whatever the input), else 1.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let refused = error.chain().any(|cause| {
        if let Some(open) = cause.downcast_ref::<OpenError>() {
            return matches!(
                open,
                OpenError::InUse { .. }
                    | OpenError::TooNew { .. }
                    | OpenError::Migrate { .. }
                    | OpenError::ReadOnly { .. }
                    | OpenError::Backup { .. }
            );
        }
        if let Some(ImportError::Refused(_)) = cause.downcast_ref::<ImportError>() {
            return true;
        }
        if let Some(client) = cause.downcast_ref::<ClientError>() {
            // No answer, a server error or a busy pooladmin: not the caller's input.
            return client
                .status
                .is_none_or(|s| s >= 500 || s == 429 || s == 409);
        }
        if cause.downcast_ref::<CloudError>().is_some() {
            return true;
        }
        matches!(
            cause.downcast_ref::<StoreError>(),
            Some(StoreError::Database(_))
        )
    });
    if refused { REFUSED } else { INPUT }
}
