#!/usr/bin/env bash
# The one command that runs every test: bash tools/test.sh
# It installs what the tests need (npm packages for the JavaScript oracle tests), builds the solution once,
# and runs every test project. CI (.ci/run) calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Upstream schemas used by the YAML validation suite (third-party data, never committed).
if [[ -z "${DAPRORDERS_SCHEMAS_DIR:-}" && -d "$root/../shared/schemas" ]]; then
  export DAPRORDERS_SCHEMAS_DIR="$(cd "$root/../shared/schemas" && pwd)"
fi

# npm packages: the official Dapr JS SDK and CloudEvents SDK serve as independent oracles.
if [[ -f tests/js/package-lock.json ]]; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build DaprOrders.sln -c Release --nologo -clp:ErrorsOnly
dotnet test DaprOrders.sln -c Release --no-build --nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$root/artifacts-test.log"
status=${PIPESTATUS[0]}

# One plain closing line over every test assembly.
passed=$(grep -Eo 'Passed: +[0-9]+' "$root/artifacts-test.log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$root/artifacts-test.log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$root/artifacts-test.log" | awk '{s+=$2} END {print s+0}')
rm -f "$root/artifacts-test.log"
echo "Total: $passed passed, $failed failed, $skipped skipped"
exit "$status"
