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

# Headless Chromium (Debian's package) for the operations page's browser test, tests/DaprOrders.OperationsPage.Tests.
command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

# npm packages: the official Dapr JS SDK and CloudEvents SDK serve as independent oracles; playwright-core drives the
# Chromium above (it downloads no browser of its own).
if [[ -f tests/js/package-lock.json ]]; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi
# The JavaScript loyalty service (services/loyalty) runs inside the end-to-end tests.
if [[ -f services/loyalty/package-lock.json ]]; then
  npm ci --prefix services/loyalty --no-audit --no-fund --loglevel=error
fi

# promtool checks the Prometheus alert rules the chart ships (ObservabilityAssetsTests); it comes with Debian's
# prometheus package. Installed once, as root only; without it that test fails and says why.
if ! command -v promtool >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    # policy-rc.d answering 101 keeps the package from starting its service (no init system in a container).
    added_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
    fi
    if ! (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null); then
      echo "tools/test.sh: could not install promtool (Debian package prometheus)" >&2
    fi
    if [[ -n "$added_policy" ]]; then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "tools/test.sh: promtool is missing and cannot be installed here (needs root and apt-get)" >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build DaprOrders.sln -c Release --nologo -clp:ErrorsOnly
# A failing test must still reach the summary below, so errexit is off for this one pipeline.
set +e
dotnet test DaprOrders.sln -c Release --no-build --nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$root/artifacts-test.log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line over every test assembly.
# awk alone: grep finding no "Failed:" line (every test passed) would end the script under errexit and pipefail.
count() { awk -v label="$1" '$1 == label":" && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}' "$root/artifacts-test.log"; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
# CI shows only the tail of the output, so the failures are repeated here: each failed test with its message and the
# top of its stack trace.
if [[ "$failed" != 0 ]]; then
  echo "Failed tests:"
  awk '/^  Failed / {show = 1; lines = 0}
       /^  (Passed|Skipped) / || /^\[xUnit/ || /^Test Run/ || /^Total tests:/ {show = 0}
       show && lines < 30 {print; lines++}' "$root/artifacts-test.log"
fi
rm -f "$root/artifacts-test.log"
echo "Total: $passed passed, $failed failed, $skipped skipped"
exit "$status"
