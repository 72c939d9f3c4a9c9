#!/bin/sh
# Startup script for a Linux Docker Agent VM (cloud-init user data): installs pooladmin's
# reference agent as a systemd service that checks in with this VM's own token. pooladmin
# fills {checkin_url} and {checkin_token} when it creates the VM.
#
# The agent binary is the lean build of pooladmin (`cargo build --release
# --no-default-features`); serve it from a place your VMs can reach and set its URL here.
set -eu
AGENT_BINARY_URL="https://downloads.example.com/pooladmin/pooladmin"

# {checkin_token} is a one-time bootstrap token (user data can be read by any process on
# this VM): the agent's first check-in exchanges it for the member's working token and
# writes that over this file (mode 0600), so the folder stays root's and writable by it.
install -d -m 0700 /etc/pooladmin
umask 077
printf '%s\n' '{checkin_token}' > /etc/pooladmin/token
curl -fsSL "$AGENT_BINARY_URL" -o /usr/local/bin/pooladmin
chmod 0755 /usr/local/bin/pooladmin

cat > /etc/systemd/system/pooladmin-agent.service <<'UNIT'
[Unit]
Description=pooladmin agent ({pool_name}, instance {server_id})
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/local/bin/pooladmin agent --url {checkin_url} --token-file /etc/pooladmin/token
Restart=always
RestartSec=5
# SIGTERM stops it cleanly.
KillSignal=SIGTERM

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
systemctl enable --now pooladmin-agent.service
