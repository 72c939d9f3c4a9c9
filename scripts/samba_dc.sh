#!/usr/bin/env bash
# A throw-away Samba AD domain controller on 127.0.0.1 for the directory tests, sourced by
# scripts/test.sh. `samba_dc_start DIR` provisions a domain in DIR (its own TLS CA, so the
# tests verify the server's certificate), starts samba in the foreground in the background,
# waits for LDAPS, creates the OU the tests use and a second account without rights on it,
# and exports POOLADMIN_SAMBA_* for them.
# `samba_dc_stop` ends it. Needs root: LDAP listens on 389 and 636.

samba_dc_start() {
  local dir=$1
  local realm=PA-TEST.EXAMPLE base="DC=pa-test,DC=example"
  local password='Pooladmin-Test-1!'
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', 636), 1)" 2>/dev/null; then
    echo "something already listens on 127.0.0.1:636 (an earlier Samba?): stop it first" >&2
    return 1
  fi
  mkdir -p "$dir/tls"
  # A CA and a server certificate for 127.0.0.1 / localhost.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pooladmin test CA" \
    -keyout "$dir/tls/ca-key.pem" -out "$dir/tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/tls/san.ext"
  openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca-key.pem" \
    -CAcreateserial -days 2 -extfile "$dir/tls/san.ext" -out "$dir/tls/cert.pem" 2>/dev/null
  chmod 600 "$dir/tls/key.pem"
  samba-tool domain provision --targetdir="$dir" --realm=$realm --domain=PATEST \
    --server-role=dc --dns-backend=NONE --adminpass="$password" --host-ip=127.0.0.1 \
    --host-name=dc1 --option="interfaces=lo" --option="bind interfaces only=yes" \
    --option="server services=ldap" --option="log file=$dir/log.%m" \
    --option="tls enabled=yes" --option="tls keyfile=$dir/tls/key.pem" \
    --option="tls certfile=$dir/tls/cert.pem" --option="tls cafile=$dir/tls/ca.pem" \
    >"$dir/provision.log" 2>&1 || { cat "$dir/provision.log" >&2; return 1; }
  samba -s "$dir/etc/smb.conf" --foreground --no-process-group >"$dir/samba.log" 2>&1 &
  SAMBA_DC_PID=$!
  for _ in $(seq 150); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', 636), 1)" 2>/dev/null && break
    sleep 0.2
  done
  if ! python3 -c "import socket; socket.create_connection(('127.0.0.1', 636), 1)" 2>/dev/null; then
    echo "samba did not start:" >&2
    cat "$dir/samba.log" >&2
    return 1
  fi
  samba-tool ou create "OU=Pooladmin,$base" -H "$dir/private/sam.ldb" >/dev/null
  # A second service account with no rights on that OU.
  samba-tool user create pa-norights 'Pooladmin-Norights-1!' -H "$dir/private/sam.ldb" >/dev/null
  export POOLADMIN_SAMBA_URL="ldaps://127.0.0.1:636"
  export POOLADMIN_SAMBA_CA="$dir/tls/ca.pem"
  export POOLADMIN_SAMBA_BASE="$base"
  export POOLADMIN_SAMBA_ADMIN_DN="CN=Administrator,CN=Users,$base"
  export POOLADMIN_SAMBA_PASSWORD="$password"
  export POOLADMIN_SAMBA_OU="OU=Pooladmin,$base"
  export POOLADMIN_SAMBA_NORIGHTS_DN="CN=pa-norights,CN=Users,$base"
  export POOLADMIN_SAMBA_NORIGHTS_PASSWORD='Pooladmin-Norights-1!'
}

samba_dc_stop() {
  [ -n "${SAMBA_DC_PID:-}" ] || return 0
  kill "$SAMBA_DC_PID" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$SAMBA_DC_PID" 2>/dev/null || break
    sleep 0.2
  done
  SAMBA_DC_PID=
}
