#!/usr/bin/env bash
# The embedded default run: every service of dapr.yaml with an emulated Dapr sidecar (tools/DaprOrders.Emulator.Cli),
# in-memory components, no Dapr CLI, no Docker. Ordering listens on http://127.0.0.1:5100, Inventory on :5101 (with
# demo stock); the emulator prints every URL once all apps are up. Ctrl-C stops the apps, then the sidecars.
#
#   bash tools/run.sh               build the solution (Release) once, then run
#   bash tools/run.sh --no-build    run what the last build produced
#
# Any other argument goes to `dapr-emulator run` (e.g. --log-level debug). See docs/running.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build=true
args=()
for arg in "$@"; do
  if [[ "$arg" == "--no-build" ]]; then build=false; else args+=("$arg"); fi
done

if $build; then
  # One build for every app: the apps then start with `dotnet run --no-build` and never build concurrently.
  dotnet build DaprOrders.sln -c Release --nologo -clp:ErrorsOnly
  # Apps written in JavaScript (dapr.yaml lists them too) need their packages.
  for package in services/*/package.json; do
    [[ -f "$package" ]] || continue
    dir="$(dirname "$package")"
    if [[ ! -d "$dir/node_modules" ]]; then
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
  done
fi

# exec: Ctrl-C and SIGTERM go straight to the emulator, which stops the apps first and then the sidecars.
exec dotnet run --no-build -c Release --project tools/DaprOrders.Emulator.Cli -- run -f dapr.yaml "${args[@]}"
