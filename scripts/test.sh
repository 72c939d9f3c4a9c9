#!/usr/bin/env bash
# Every test of pooladmin: formatting, lints, unit and property tests, store tests on real
# SQLite files and again on a throw-away PostgreSQL cluster, GUI tests (egui_kittest, headless: no display needed) and snapshots of every
# page and wizard step (wgpu on Mesa's software Vulkan), each benchmark run
# once in test mode, the OS keyring tests against a real Secret Service (gnome-keyring in a
# D-Bus session of its own), the AWS tests against moto_server, the Google Cloud tests
# against gcplocal, the Oracle Cloud signer against the oci SDK, and the directory tests
# against a throw-away Samba AD domain controller, all on 127.0.0.1. Peers missing from the
# machine are installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

# The test peers come from Debian's packages.
missing=()
command -v dbus-run-session >/dev/null || missing+=(dbus dbus-daemon)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v samba >/dev/null || missing+=(samba samba-ad-dc)
[ -d /usr/share/samba/setup/ad-schema ] || missing+=(samba-ad-provision)
command -v openssl >/dev/null || missing+=(openssl)
# The snapshot tests render with wgpu on Mesa's software Vulkan (lavapipe): no GPU, no display.
compgen -G '/usr/share/vulkan/icd.d/lvp_icd.*.json' >/dev/null || missing+=(mesa-vulkan-drivers libvulkan1)
# The PostgreSQL store's tests run on a throw-away cluster of Debian's PostgreSQL.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing the test peers: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# From PyPI, in a virtual environment of its own that later runs reuse: moto stands in for
# AWS, gcplocal for Google Cloud's compute and DNS, the oci SDK signs the requests the
# Oracle Cloud signer's golden tests compare against, and schemathesis tests the HTTP API
# against its own OpenAPI document (tests/api_schemathesis.rs).
peers="${POOLADMIN_PEERS_DIR:-/var/tmp/pooladmin-peers}"
if [ ! -x "$peers/bin/moto_server" ] || [ ! -x "$peers/bin/gcplocal" ] \
  || [ ! -x "$peers/bin/schemathesis" ] || ! "$peers/bin/python" -c 'import oci' 2>/dev/null; then
  echo "Installing the test peers: moto[server], gcplocal, oci and schemathesis into $peers"
  python3 -m venv "$peers"
  "$peers/bin/pip" install --quiet 'moto[server]>=5.1,<6' 'gcplocal>=0.1,<0.2' 'oci>=2.150,<3' \
    'schemathesis>=4.32,<5'
fi
export POOLADMIN_PEERS_PYTHON="$peers/bin/python"

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

# The lean binary, without the window: agents and headless servers run it.
cargo build --locked --no-default-features --bin pooladmin


free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Waits until something answers on 127.0.0.1:$1, else prints the log $3 of $2 and fails.
wait_for_port() {
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$2 did not start:" >&2
  cat "$3" >&2
  return 1
}

# moto and gcplocal on free loopback ports, stopped when the tests end.
moto_port=$(free_port)
moto_log=$(mktemp)
"$peers/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
moto_pid=$!
gcplocal_port=$(free_port)
gcplocal_log=$(mktemp)
"$peers/bin/gcplocal" start --host 127.0.0.1 --port "$gcplocal_port" >"$gcplocal_log" 2>&1 &
gcplocal_pid=$!
# A throw-away keyring: its files go to a temporary folder, its daemon ends with the session.
keyring_home=$(mktemp -d)
# A throw-away Samba AD domain (scripts/samba_dc.sh).
source scripts/samba_dc.sh
samba_home=$(mktemp -d)
# One throw-away PostgreSQL cluster for the whole run (scripts/postgres.sh): every test
# that runs on PostgreSQL makes a database of its own in it.
source scripts/postgres.sh
postgres_home=$(mktemp -d)
trap 'kill "$moto_pid" "$gcplocal_pid" 2>/dev/null; samba_dc_stop; postgres_stop; rm -rf "$keyring_home" "$moto_log" "$gcplocal_log" "$samba_home" "$postgres_home"' EXIT
postgres_start "$postgres_home"
echo "PostgreSQL started on 127.0.0.1 with TLS and a CA of its own"

# The benchmarks first (each runs once, as a test; their PostgreSQL cases on the cluster), so
# the run ends on the test summary.
cargo test --locked --benches
samba_started=$SECONDS
samba_dc_start "$samba_home"
echo "Samba AD DC provisioned and started in $((SECONDS - samba_started)) s"
wait_for_port "$moto_port" moto_server "$moto_log"
wait_for_port "$gcplocal_port" gcplocal "$gcplocal_log"
export POOLADMIN_MOTO_ENDPOINT="http://127.0.0.1:$moto_port"
export POOLADMIN_GCPLOCAL_ENDPOINT="http://127.0.0.1:$gcplocal_port"
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  printf %s pooladmin-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --locked --lib --bins --tests
'

# The directory down: stop Samba, then the one test that needs it stopped.
samba_dc_stop
cargo test --locked --test directory_down -- --ignored

# The database server down: the one test that stops the shared cluster for 20 s (and starts
# it again) while headless, a window and a portal use it.
cargo test --locked --test postgres_down -- --ignored --test-threads=1
