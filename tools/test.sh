#!/usr/bin/env bash
# The one command that runs every test: bash tools/test.sh
# It installs what the tests need (npm packages; as root on Debian also chromium and promtool), builds the solution
# once, and runs every test project. CI (.ci/run) calls exactly this.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Upstream schemas used by the YAML validation suite (third-party data, never committed).
if [[ -z "${DAPRORDERS_SCHEMAS_DIR:-}" && -d "$root/../shared/schemas" ]]; then
  export DAPRORDERS_SCHEMAS_DIR="$(cd "$root/../shared/schemas" && pwd)"
fi

# Tools some tests need. CI (root, Debian) installs what is missing; anywhere else (no root, no apt-get, macOS) the
# script names what is missing and how to get it, and runs everything anyway: the tests that need a missing tool fail
# and say why (none is skipped).
missing=()
can_install() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; }
apt_install() {
  # policy-rc.d answering 101 keeps a package from starting its service (no init system in a container).
  local added_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null) \
    || echo "tools/test.sh: apt-get install $* failed" >&2
  if [[ -n "$added_policy" ]]; then rm -f /usr/sbin/policy-rc.d; fi
}
# require NAME PRESENT-CHECK DEBIAN-PACKAGE HOW-TO-GET-IT WHICH-TESTS
require() {
  local name="$1" check="$2" package="$3" how="$4" tests="$5"
  if ! eval "$check" && can_install; then apt_install "$package"; fi
  if ! eval "$check"; then
    missing+=("$name is missing; $tests will fail. Get it: $how")
  fi
}
chromium_path="${DAPRORDERS_CHROMIUM:-/usr/bin/chromium}"
require chromium "[[ -x '$chromium_path' ]]" chromium \
  "Debian/Ubuntu: sudo apt-get install chromium; elsewhere install Chromium and set DAPRORDERS_CHROMIUM=/path/to/chromium" \
  "the browser tests (DaprOrders.OperationsPage.Tests, DaprOrders.AppHost.Tests)"
require promtool "command -v promtool >/dev/null 2>&1" prometheus \
  "Debian/Ubuntu: sudo apt-get install prometheus; macOS: brew install prometheus; or put promtool from https://prometheus.io/download/ on PATH" \
  "ObservabilityAssetsTests.The_alert_rules_pass_promtool_check_rules"
require npm "command -v npm >/dev/null 2>&1" npm \
  "install Node.js 20 or later (https://nodejs.org; Debian/Ubuntu: sudo apt-get install nodejs npm)" \
  "the JavaScript oracle, loyalty and browser tests"
if [[ -z "${DAPRORDERS_SCHEMAS_DIR:-}" ]]; then
  missing+=("the upstream schemas are missing (no DAPRORDERS_SCHEMAS_DIR, no ../shared/schemas); the YAML validation tests of DaprOrders.Deployment.Tests will fail. Get them: bash tools/fetch-schemas.sh <dir>, then export DAPRORDERS_SCHEMAS_DIR=<dir>")
fi
report_missing() {
  local line
  for line in "${missing[@]}"; do echo "tools/test.sh: $line" >&2; done
}
report_missing

# npm packages: the official Dapr JS SDK and CloudEvents SDK serve as independent oracles; playwright-core drives the
# Chromium above (it downloads no browser of its own). The JavaScript loyalty service (services/loyalty) runs inside
# the end-to-end tests.
if command -v npm >/dev/null 2>&1; then
  for dir in tests/js services/loyalty; do
    if [[ -f "$dir/package-lock.json" ]]; then
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
  done
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
# Said again where CI and a terminal show it: the tail.
report_missing
echo "Total: $passed passed, $failed failed, $skipped skipped"
exit "$status"
