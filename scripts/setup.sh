#!/usr/bin/env bash
# Sets up everything factsheets needs on a fresh Debian machine with Python 3.11 and pip:
# system libraries (Pango for WeasyPrint, a fallback font), then a virtualenv in .venv with the
# package and its test tools. Safe to run again: each step is skipped when already done.
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

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
stamp=.venv/.factsheets-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "setup: installing factsheets and its test tools into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi

# axe-core, the accessibility checker the browser tests inject into each page, from npm into
# .venv/axe (git-ignored with .venv). Pinned: a new axe release can add rules, so it is a deliberate bump.
axe_version=4.14.1
if [[ "${1:-}" == "--browser" ]] && ! grep -qs "\"version\": \"$axe_version\"" .venv/axe/node_modules/axe-core/package.json; then
  echo "setup: installing axe-core $axe_version into .venv/axe"
  npm install --prefix .venv/axe --save-exact --no-audit --no-fund --no-package-lock --loglevel=error "axe-core@$axe_version" >/dev/null
fi
