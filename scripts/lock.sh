#!/usr/bin/env bash
# Refreshes the Python lock on purpose; setup.sh installs nothing else. Two sets, exact versions
# with hashes, made by pip-tools: requirements/runtime.txt (what `./dev build` and a service need)
# and requirements/test.txt (the runtime set at the same versions, plus the test and lint tools).
#   scripts/lock.sh                  # the newest versions pyproject.toml's ranges allow
#   scripts/lock.sh -P pikepdf       # upgrade only these packages (repeatable); the rest stay
#   scripts/lock.sh --keep           # after editing pyproject.toml: add what is new, keep every pin
# Then run ./dev test: it installs the new lock into a fresh .venv and says whether it is fine.
set -euo pipefail
cd "$(dirname "$0")/.."

upgrade=(--upgrade)
packages=()
while (($#)); do
  case "$1" in
    -P) [[ -n "${2:-}" ]] || { echo "lock: -P needs a package name" >&2; exit 2; }
        packages+=(--upgrade-package "$2"); shift 2 ;;
    --keep) upgrade=(); shift ;;
    *) echo "usage: scripts/lock.sh [-P PACKAGE]... | --keep" >&2; exit 2 ;;
  esac
done
((${#packages[@]})) && upgrade=("${packages[@]}")

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
"${PYTHON:-python3}" -m venv "$tools/venv"
"$tools/venv/bin/python" -m pip install -q --disable-pip-version-check "pip-tools==7.6.2"

compile() {
  "$tools/venv/bin/pip-compile" -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
    --no-emit-find-links ${upgrade[@]+"${upgrade[@]}"} "$@" pyproject.toml requirements/tools.in
}
compile -o requirements/runtime.txt
# The test set is held to the runtime set's versions, so `./dev test` tests what a service runs.
compile --extra test --constraint requirements/runtime.txt -o requirements/test.txt
echo "lock: requirements/runtime.txt ($(grep -cE '^[A-Za-z0-9]' requirements/runtime.txt) packages) and requirements/test.txt" \
     "($(grep -cE '^[A-Za-z0-9]' requirements/test.txt) packages) written; now run ./dev test"
