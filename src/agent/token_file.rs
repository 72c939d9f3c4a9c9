//! The agent's token file: the working token a check-in gave in exchange for the bootstrap
//! token is written over it, readable by its owner only (0600), through a temporary file
//! renamed into place so a crash never leaves half a token.

use crate::model::Secret;
use std::io::Write;
use std::path::Path;

/// Writes `token` to `file`, replacing what was there, mode 0600.
pub fn save_token(file: &Path, token: &Secret) -> std::io::Result<()> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty());
    let name = file
        .file_name()
        .ok_or_else(|| std::io::Error::other("the token file has no name"))?;
    let temporary = dir
        .unwrap_or_else(|| Path::new("."))
        .join(format!(".{}.new", name.to_string_lossy()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(&temporary)?;
    #[cfg(unix)]
    {
        // A file left from before keeps its mode through open: set it again.
        use std::os::unix::fs::PermissionsExt;
        out.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    out.write_all(token.expose().as_bytes())?;
    out.write_all(b"\n")?;
    out.sync_all()?;
    drop(out);
    std::fs::rename(&temporary, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_replaces_the_file_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "pa_a_bootstrap\n").unwrap();
        save_token(&file, &Secret::new("pa_a_working")).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "pa_a_working\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
