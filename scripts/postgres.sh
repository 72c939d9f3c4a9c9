#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the store tests, sourced by scripts/test.sh
# (and usable by hand: `source scripts/postgres.sh; postgres_start DIR`).
# `postgres_start DIR` runs Debian's initdb as the postgres user (initdb refuses root) into
# DIR, with TLS from a CA of its own (so sslmode=verify-full is tested) and password logins
# only, starts it on a free loopback port, and exports POOLADMIN_TEST_POSTGRES: the URL of
# its admin database, which the tests clone a database of their own from.
# `postgres_stop` ends it; the caller removes DIR.

postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$dir/initdb" ] || { echo "PostgreSQL's initdb was not found under /usr/lib/postgresql" >&2; return 1; }
  echo "$dir"
}

postgres_start() {
  local dir=$1 bin port password
  bin=$(postgres_bin) || return 1
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir/tls" "$dir/run"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pooladmin test PostgreSQL CA" \
    -keyout "$dir/tls/ca-key.pem" -out "$dir/tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/tls/san.ext"
  openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca-key.pem" \
    -CAcreateserial -days 2 -extfile "$dir/tls/san.ext" -out "$dir/tls/cert.pem" 2>/dev/null
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 600 "$dir/tls/key.pem" "$dir/pwfile"
  chmod 755 "$dir"
  chown -R postgres:postgres "$dir"
  if ! su postgres -s /bin/sh -c "'$bin/initdb' -D '$dir/data' -U postgres --pwfile='$dir/pwfile' \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1; then
    echo "initdb failed:" >&2; cat "$dir/initdb.log" >&2; return 1
  fi
  rm -f "$dir/pwfile"
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
ssl = on
ssl_cert_file = '$dir/tls/cert.pem'
ssl_key_file = '$dir/tls/key.pem'
max_connections = 300
# A throw-away cluster: durability is not what the tests measure.
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  if ! su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 start" >/dev/null; then
    echo "PostgreSQL did not start:" >&2; cat "$dir/server.log" >&2; return 1
  fi
  POSTGRES_DIR=$dir
  export POOLADMIN_TEST_POSTGRES="postgres://postgres:$password@localhost:$port/postgres?sslmode=verify-full&sslrootcert=$dir/tls/ca.pem"
  export POOLADMIN_TEST_PG_CTL="$bin/pg_ctl"
  export POOLADMIN_TEST_PG_DATA="$dir/data"
}

postgres_stop() {
  [ -n "${POSTGRES_DIR:-}" ] || return 0
  su postgres -s /bin/sh -c "'$(postgres_bin)/pg_ctl' -D '$POSTGRES_DIR/data' -m immediate stop" >/dev/null 2>&1 || true
  POSTGRES_DIR=
}
