#!/usr/bin/env bash
# Start a local PostgreSQL for Bay's store tests and print the URL to use.
#
#   export BAY_TEST_DATABASE_URL="$(bash .ci/postgres.sh)"
#
# Debian, run as root, no systemd needed. Idempotent: installs the
# `postgresql` package only when missing, starts the newest cluster if it is
# down, and (re)creates the login role `bay` (password `bay`, CREATEDB).
# Progress goes to stderr; stdout is only the URL.
set -euo pipefail

role="${BAY_PG_ROLE:-bay}"
password="${BAY_PG_PASSWORD:-bay}"
log() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root"
  exit 1
fi

# The newest installed server version (a client-only version does not count).
newest_version() {
  local bin
  for bin in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$bin" ] && basename "$(dirname "$(dirname "$bin")")"
  done | sort -V | tail -n 1
}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(newest_version)" ]; then
  log "installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || log "apt-get update failed; trying the install anyway"
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi

ver="$(newest_version)"
if ! pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
  log "creating cluster $ver/main"
  pg_createcluster "$ver" main >&2
fi

status="$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" { print $4 }')"
port="$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" { print $3 }')"
if [ "$status" != "online" ]; then
  log "starting cluster $ver/main on port $port"
  pg_ctlcluster "$ver" main start >&2
fi

for _ in $(seq 1 120); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.25
done
if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
  log "PostgreSQL $ver did not become ready on port $port"
  exit 1
fi

# Create or refresh the role. psql's :'var' quoting keeps the password safe.
(cd /tmp && runuser -u postgres -- psql -p "$port" -X -q -v ON_ERROR_STOP=1 \
  -v role="$role" -v password="$password" >&2) <<'SQL'
SELECT format('CREATE ROLE %I', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', :'password') \gexec
SQL

echo "postgres://${role}:${password}@127.0.0.1:${port}/postgres"
