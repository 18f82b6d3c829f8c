# Shared setup for start.sh and test.sh: make sure Deno (from the npm
# registry) and the system packages are present. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO_VERSION="2.9.6"
log() { echo "[shipyard] $*" >&2; }

ensure_deno() {
  local bin="$ROOT/.tools/node_modules/.bin/deno"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "deno $DENO_VERSION"; then
    export PATH="$(dirname "$(readlink -f "$bin")"):$PATH"
    return
  fi
  command -v npm >/dev/null || { log "npm is required to install Deno"; exit 1; }
  log "installing Deno $DENO_VERSION from the npm registry"
  mkdir -p "$ROOT/.tools"
  npm install --prefix "$ROOT/.tools" --no-audit --no-fund --silent "deno@$DENO_VERSION" >&2
  export PATH="$(dirname "$(readlink -f "$bin")"):$PATH"
}

# ensure_packages pkg... : install missing Debian packages (needs root).
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    log "missing packages: ${missing[*]} (run as root or install them)"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || log "apt-get update failed; trying anyway"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

RUNTIME_PACKAGES=(bubblewrap python3-ipykernel python3-numpy python3-matplotlib python3-pandas util-linux)

# ensure_dockerd: start the Docker daemon when it is not answering (needs root).
ensure_dockerd() {
  if docker info >/dev/null 2>&1; then return; fi
  ensure_packages docker.io
  log "starting dockerd"
  (dockerd >/var/log/shipyard-dockerd.log 2>&1 &)
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return
    sleep 0.5
  done
  log "dockerd did not start; see /var/log/shipyard-dockerd.log"
  tail -20 /var/log/shipyard-dockerd.log >&2 || true
  exit 1
}
