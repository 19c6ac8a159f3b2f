#!/usr/bin/env bash
# One command per benchmark (tables on stdout, progress on stderr):
#   bash bench/run.sh intake   B1: POST /orders vs the one-hop baseline (32 connections, 5 s warm-up + 20 s)
#   bash bench/run.sh saga     B2: whole saga through the five services (orders/s, submit→terminal, CPU, RSS)
#   bash bench/run.sh seeds    B3: the seeds' synchronous invocation chain vs the asynchronous accept path
# Options after the name: --smoke, --duration S, --warmup S, --connections N, --orders N, --gc server|workstation,
# --output FILE (append the tables to a Markdown file). Set BENCH_NO_BUILD=1 to skip the build.
# Everything is built in Release into its own artifacts folder, so it never touches the tree's bin/obj folders.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${BENCH_ARTIFACTS:-/tmp/art-bench}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [[ "${BENCH_NO_BUILD:-0}" != "1" ]]; then
  dotnet build "$root/bench/DaprOrders.Bench" -c Release --artifacts-path "$artifacts" --nologo -clp:ErrorsOnly >&2
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec dotnet "$artifacts/bin/DaprOrders.Bench/release/daprorders-bench.dll" "$@"
