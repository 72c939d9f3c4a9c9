#!/usr/bin/env bash
# Every test of pooladmin: formatting, lints, unit and property tests, store tests on real
# SQLite files, GUI tests (egui_kittest, headless: no display needed) and each benchmark run
# once in test mode. Services the tests need are started here (none yet: the cloud and
# directory peers arrive with their issues).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The benchmarks first (each runs once, as a test), so the run ends on the test summary.
cargo test --locked --benches
cargo test --locked --lib --bins --tests
