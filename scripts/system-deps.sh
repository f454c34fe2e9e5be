#!/usr/bin/env bash
# Installs the Debian packages thidua needs, only those that are missing.
#   scripts/system-deps.sh run    Graphviz (diagrams)
#   scripts/system-deps.sh test   Graphviz, PostgreSQL and Chromium (browser tests)
set -euo pipefail
want=(graphviz)
[ "${1:-run}" = "test" ] && want+=(postgresql chromium)

missing=()
for pkg in "${want[@]}"; do
  case "$pkg" in
    graphviz) command -v dot >/dev/null 2>&1 || missing+=(graphviz) ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql) ;;
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
