#!/usr/bin/env bash
# Start Bay on embedded defaults: PGlite in ./.bay, the local (bubblewrap)
# driver, port 8114. On first start an admin API key is printed once.
source "$(dirname "$0")/scripts/_env.sh"
ensure_deno
ensure_packages "${RUNTIME_PACKAGES[@]}"
cd "$ROOT"
deno install --frozen >&2
exec deno task start
