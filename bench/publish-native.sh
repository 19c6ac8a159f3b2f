#!/usr/bin/env bash
# Publishes the five services as native AOT executables for the benchmarks:
#   bash bench/publish-native.sh [OUT]        (default OUT: /tmp/daprorders-native)
#   BENCH_NATIVE=OUT bash bench/run.sh saga   runs those executables instead of `dotnet app.dll`
# Native AOT needs a C toolchain: Debian's gcc is used (no clang here). Each service takes a minute or two on 2 cores.
# Workstation GC: one small heap per service instead of one per core; measured in docs/benchmarks.md (B2 memory), it
# keeps every service under 80 MB at steady load without costing throughput.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/daprorders-native}"
artifacts="${BENCH_NATIVE_ARTIFACTS:-/tmp/art-native}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
for service in Ordering Inventory Payment Notification Audit; do
  echo "publishing $service (native AOT) ..." >&2
  dotnet publish "$root/services/$service" -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=gcc \
    -p:ServerGarbageCollection=false \
    --artifacts-path "$artifacts" -o "$out/DaprOrders.$service" --nologo -clp:ErrorsOnly >&2
done
echo "$out"
