#!/usr/bin/env bash
# Every test of pooladmin: formatting, lints, unit and property tests, store tests on real
# SQLite files, GUI tests (egui_kittest, headless: no display needed), each benchmark run
# once in test mode, and the OS keyring tests against a real Secret Service (gnome-keyring
# in a D-Bus session of its own, installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# The test peers come from Debian's packages.
missing=()
command -v dbus-run-session >/dev/null || missing+=(dbus dbus-daemon)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing the test peers: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

# The benchmarks first (each runs once, as a test), so the run ends on the test summary.
cargo test --locked --benches

# A throw-away keyring: its files go to a temporary folder, its daemon ends with the session.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  printf %s pooladmin-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --locked --lib --bins --tests
'
