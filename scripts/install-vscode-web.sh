#!/usr/bin/env bash
# Installs what the real-VS-Code tests need (see scripts/README-vscode-testing.md):
# Debian chromium, libkrb5-dev (kerberos native build), ripgrep, and code-server into tools/vscode-web.
# Idempotent: each step is skipped when its result is already present. apt steps need root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool_dir="$root/tools/vscode-web"
want_version="$(node -p "require('$tool_dir/package.json').dependencies['code-server']")"

# 1. Debian packages, only the missing ones (apt-get update only when something must be installed).
missing=()
for pkg in chromium libkrb5-dev ripgrep; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "install-vscode-web: apt-get install ${missing[*]}"
  if [[ $EUID -ne 0 ]]; then
    echo "install-vscode-web: need root to install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-vscode-web: apt packages present"
fi

# 2. code-server via npm ci, skipped when the pinned version is already installed.
installed_version="$(node -p "try { require('$tool_dir/node_modules/code-server/package.json').version } catch { '' }")"
server_main="$tool_dir/node_modules/code-server/lib/vscode/out/server-main.js"
if [[ "$installed_version" == "$want_version" && -f "$server_main" ]]; then
  echo "install-vscode-web: code-server $want_version already installed"
  exit 0
fi

# @vscode/ripgrep (inside code-server 4.100.x) downloads rg from GitHub in its postinstall;
# it looks in this tmp cache first, so seed it with Debian's rg.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_tarball="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$rg_tarball" ]]; then
  mkdir -p "$rg_cache"
  tar czf "$rg_tarball" -C "$(dirname "$(command -v rg)")" rg
fi

echo "install-vscode-web: npm ci code-server $want_version (compiles native modules, ~1 min)"
# unsafe_perm: code-server's postinstall.sh refuses to run as root without it.
# yes: node-pty's post-install runs `npx node-gyp`, which otherwise aborts asking for confirmation.
cd "$tool_dir"
if [[ -f package-lock.json ]]; then
  npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund
else
  npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund
fi
[[ -f "$server_main" ]] || { echo "install-vscode-web: $server_main missing after install" >&2; exit 1; }
echo "install-vscode-web: done"
