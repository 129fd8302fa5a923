#!/bin/sh
# Every benchmark, each as a ratio against a baseline measured in the same run.
set -eu
cd "$(dirname "$0")/.."
echo "# signaal benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
bench/http.sh build/signaal healthz
bench/http.sh build/signaal check
bench/reports.sh build
bench/backends.sh build
bench/lookup.sh build
bench/alerts.sh build
build/bench_voprf 5 1
build/bench_ident 3 0.5
# The audit log: appends against raw SQLite, a checkpoint and `audit verify` at 1,000,000 entries.
audit_dir=$(mktemp -d); build/bench_audit all "$audit_dir" 5 1000000; rm -rf "$audit_dir"
