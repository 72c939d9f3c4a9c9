//! How the startup script reaches an Azure VM. Linux images run `customData` through
//! cloud-init. Windows only stores `customData` (as `C:\AzureData\CustomData.bin`) and never
//! runs it, so there the CustomScriptExtension runs the script, delivered in its
//! `protectedSettings` (encrypted to the VM, never shown by Resource Manager): inline as
//! PowerShell's `-EncodedCommand` when that fits a command line, else read back from
//! `CustomData.bin`.

use base64::Engine;
use serde_json::{Value, json};

/// The extension's name under the VM.
pub const EXTENSION_NAME: &str = "pooladmin-startup";
/// The longest command line `cmd.exe` runs.
const COMMAND_LINE_MAX: usize = 8191;
/// How PowerShell is started.
const POWERSHELL: &str = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass";

/// What goes into the VM's body and what runs after it.
#[derive(Debug, PartialEq)]
pub struct Delivery {
    /// `osProfile.customData` (base64), if any.
    pub custom_data: Option<String>,
    /// The CustomScriptExtension's `commandToExecute`, on Windows.
    pub command: Option<String>,
}

/// The delivery of `script` to a Linux or Windows VM; nothing for an empty script.
pub fn delivery(script: &str, windows: bool) -> Delivery {
    let base64 = base64::engine::general_purpose::STANDARD;
    if script.is_empty() {
        return Delivery {
            custom_data: None,
            command: None,
        };
    }
    if !windows {
        return Delivery {
            custom_data: Some(base64.encode(script)),
            command: None,
        };
    }
    // -EncodedCommand takes base64 of UTF-16LE.
    let utf16: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let inline = format!("{POWERSHELL} -EncodedCommand {}", base64.encode(utf16));
    if inline.len() <= COMMAND_LINE_MAX {
        return Delivery {
            custom_data: None,
            command: Some(inline),
        };
    }
    let from_file = format!(
        "{POWERSHELL} -Command \"Copy-Item C:\\AzureData\\CustomData.bin \
         C:\\AzureData\\pooladmin-startup.ps1 -Force; & C:\\AzureData\\pooladmin-startup.ps1\""
    );
    Delivery {
        custom_data: Some(base64.encode(script)),
        command: Some(from_file),
    }
}

/// The CustomScriptExtension resource that runs `command`.
pub fn extension_body(location: &str, tags: &Value, command: &str) -> Value {
    json!({
        "location": location,
        "tags": tags,
        "properties": {
            "publisher": "Microsoft.Compute",
            "type": "CustomScriptExtension",
            "typeHandlerVersion": "1.10",
            "autoUpgradeMinorVersion": true,
            "settings": {},
            "protectedSettings": { "commandToExecute": command },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(command: &str) -> String {
        let encoded = command.rsplit(' ').next().unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    }

    #[test]
    fn linux_runs_custom_data_and_windows_the_extension() {
        let linux = delivery("#!/bin/sh\necho hi\n", false);
        assert!(linux.custom_data.is_some() && linux.command.is_none());
        let windows = delivery("Add-Computer -DomainName 'corp.example.com'", true);
        assert_eq!(windows.custom_data, None);
        let command = windows.command.unwrap();
        assert!(command.contains("-EncodedCommand"), "{command}");
        assert_eq!(
            decoded(&command),
            "Add-Computer -DomainName 'corp.example.com'"
        );
    }

    #[test]
    fn a_long_windows_script_runs_from_custom_data() {
        let long = "Write-Output 'x'\n".repeat(400);
        let windows = delivery(&long, true);
        assert!(windows.custom_data.is_some());
        let command = windows.command.unwrap();
        assert!(command.len() <= COMMAND_LINE_MAX);
        assert!(command.contains("CustomData.bin"), "{command}");
    }

    #[test]
    fn an_empty_script_sends_nothing() {
        assert_eq!(
            delivery("", true),
            Delivery {
                custom_data: None,
                command: None
            }
        );
    }
}
