# Startup script for a Windows Server VM (PowerShell): installs pooladmin's reference agent
# as a scheduled task that starts at boot and checks in with this VM's own token. pooladmin
# fills {checkin_url} and {checkin_token} when it creates the VM; doubled braces are literal
# braces.
#
# The agent is the lean build of pooladmin for Windows (`cargo build --release
# --no-default-features --target x86_64-pc-windows-msvc`); serve it from a place your VMs
# can reach and set its URL here.
$ErrorActionPreference = 'Stop'
$AgentBinaryUrl = 'https://downloads.example.com/pooladmin/pooladmin.exe'
$AgentHome = 'C:\ProgramData\pooladmin'

New-Item -ItemType Directory -Force -Path $AgentHome | Out-Null
# Only SYSTEM and Administrators may read the token. {checkin_token} is a one-time bootstrap
# token (user data can be read by any process on this VM): the agent's first check-in
# exchanges it for the member's working token and writes that over this file.
icacls $AgentHome /inheritance:r /grant:r 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' | Out-Null
Set-Content -Path "$AgentHome\token" -Value '{checkin_token}' -NoNewline
Invoke-WebRequest -UseBasicParsing -Uri $AgentBinaryUrl -OutFile "$AgentHome\pooladmin.exe"

$action = New-ScheduledTaskAction -Execute "$AgentHome\pooladmin.exe" `
    -Argument "agent --url {checkin_url} --token-file `"$AgentHome\token`""
$trigger = New-ScheduledTaskTrigger -AtStartup
$settings = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -ExecutionTimeLimit ([TimeSpan]::Zero)
Register-ScheduledTask -TaskName 'pooladmin agent' -Action $action -Trigger $trigger `
    -Settings $settings -User 'SYSTEM' -RunLevel Highest -Force | Out-Null
Start-ScheduledTask -TaskName 'pooladmin agent'
