#!/usr/bin/env bash
# Sets up everything factsheets needs on a fresh Debian machine with Python 3.11 and pip:
# system libraries (Pango for WeasyPrint, a fallback font), then a virtualenv in .venv with the
# package and, with --browser, its test tools. Safe to run again: each step is skipped when already done.
#   scripts/setup.sh            # library and CLI
#   scripts/setup.sh --browser  # also Chromium, for the web form's browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

# Fonts: Atkinson Hyperlegible (bundled) for Latin; Noto for the scripts a US clinic meets in
# patients' names (Korean, Chinese, Japanese, Thai, Devanagari, Arabic, Hebrew, Vietnamese); DejaVu last.
apt_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core
              fonts-noto-core fonts-noto-cjk libzbar0 libdmtx0b)
if [[ "${1:-}" == "--browser" ]]; then
  apt_packages+=(chromium chromium-driver)
  # Node's npm fetches axe-core (below). Checked by command, not package: NodeSource's nodejs bundles npm.
  command -v npm >/dev/null || apt_packages+=(nodejs npm)
fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python packages: exactly the committed lock (requirements/*.txt, with hashes; refreshed on purpose
# by scripts/lock.sh), never whatever is newest. `./dev build` needs only the runtime set;
# `./dev test` (--browser) adds the test and lint tools. A changed lock gets a new virtualenv, so
# nothing left from an older lock lingers (`pip freeze` equals the lock).
set_name=runtime
[[ "${1:-}" == "--browser" ]] && set_name=test
python=${PYTHON:-python3}
stamp=.venv/.factsheets-installed
inputs=$(cat pyproject.toml requirements/runtime.txt requirements/test.txt | sha256sum | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [[ $have != "$set_name $inputs" && $have != "test $inputs" ]]; then
  if [[ $have != "runtime $inputs" ]]; then
    rm -rf .venv
    echo "setup: creating .venv"
    "$python" -m venv .venv
  fi
  echo "setup: installing the $set_name lock (requirements/$set_name.txt) and factsheets into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r "requirements/$set_name.txt"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$set_name $inputs" > "$stamp"
fi

# axe-core, the accessibility checker the browser tests inject into each page, from npm into
# .venv/axe (git-ignored with .venv). Pinned: a new axe release can add rules, so it is a deliberate bump.
axe_version=4.14.1
if [[ "${1:-}" == "--browser" ]] && ! grep -qs "\"version\": \"$axe_version\"" .venv/axe/node_modules/axe-core/package.json; then
  echo "setup: installing axe-core $axe_version into .venv/axe"
  npm install --prefix .venv/axe --save-exact --no-audit --no-fund --no-package-lock --loglevel=error "axe-core@$axe_version" >/dev/null
fi
