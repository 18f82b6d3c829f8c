#!/usr/bin/env bash
# Build the ship runtime image WITHOUT an image registry (`deno task image`).
# Only the Debian mirror is needed; deploy/ship/Dockerfile is the same image for
# hosts that can pull debian:bookworm-slim (see deploy/ship/README.md).
#
#   layer 1  shipyard-neo/ship-base:<hash>  debootstrap minbase + deploy/ship/setup-base.sh
#            in a chroot, then `tar | docker import`.
#            hash = packages.txt (the parsed list) + setup-base.sh + this script's
#            "base recipe" section.
#   layer 2  shipyard-neo/ship:<hash> (+ :latest)  `docker build FROM` layer 1 with the
#            Deno binary, deno.json/deno.lock, the members' deno.json, ship/ and node_modules/.
#            hash = the whole generated build context (which names the base tag).
#
# A layer whose tag already exists is not rebuilt. Progress goes to stderr; the
# final tag is printed ALONE on stdout:  TAG=$(deno task image | tail -1)
#
# Usage: scripts/image.sh [--force] [--prune]
#        --force  rebuild both layers even if their tags exist
#        --prune  afterwards, remove the other shipyard-neo/ship{,-base}:<hash> tags
#                 (images that a container still uses are kept)
# Env:   DENO_BIN                  Deno binary to ship (default: the `deno` on PATH)
#        SHIPYARD_DEBIAN_MIRROR    Debian mirror (default: from /etc/apt/sources*)
#        SHIPYARD_DEBIAN_SECURITY  Debian security mirror (same)
#        SHIPYARD_IMAGE_WORKDIR    parent of the scratch dir (default: /var/tmp)
#        SHIPYARD_IMAGE_VERBOSE=1  stream the output of debootstrap/apt/docker
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/scripts/image.sh"
DEPLOY="$ROOT/deploy/ship"
BASE_REPO="shipyard-neo/ship-base"
SHIP_REPO="shipyard-neo/ship"
IMAGE_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

exec 3>&1 1>&2 # stdout is reserved for the final tag (fd 3)
T0=$SECONDS
log() { printf '[image] %4ds %s\n' "$((SECONDS - T0))" "$*"; }
die() {
  log "error: $*"
  exit 1
}

FORCE=0
PRUNE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --prune) PRUNE=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$SELF" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $arg (usage: scripts/image.sh [--force] [--prune])" ;;
  esac
done

WORK=""
cleanup() {
  local rc=$? t
  trap - EXIT INT TERM
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    # Unmount everything below WORK (deepest first), then delete it, but never
    # through a mount point that is still there.
    for t in $(findmnt -rn -o TARGET | awk -v p="$WORK/" 'index($0, p) == 1' | sort -r); do
      umount "$t" 2>/dev/null || umount -l "$t" || true
    done
    if findmnt -rn -o TARGET | awk -v p="$WORK/" 'index($0, p) == 1 { f = 1 } END { exit !f }'; then
      log "warning: $WORK still has mounts; not deleting it"
    else
      rm -rf --one-file-system "$WORK"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_logged NAME CMD...: run CMD with its output in $WORK/NAME.log (or streamed
# with SHIPYARD_IMAGE_VERBOSE=1); on failure show the end of the log.
run_logged() {
  local name="$1" rc=0
  shift
  if [ "${SHIPYARD_IMAGE_VERBOSE:-0}" = 1 ]; then
    "$@" || rc=$?
  else
    "$@" >"$WORK/$name.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      tail -n 40 "$WORK/$name.log" | sed -e "s/^/  $name| /"
    fi
  fi
  [ "$rc" -eq 0 ] || die "$name failed (exit $rc)"
}

apt_install() {
  [ "$(id -u)" -eq 0 ] || die "need root to install $*"
  log "installing $* (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || log "apt-get update failed; trying anyway"
  apt-get install -y -qq --no-install-recommends "$@"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
sha12() { sha256sum | cut -c1-12; }
mib() { echo "$(($(docker image inspect -f '{{.Size}}' "$1") / 1048576)) MiB"; }

# ---------------------------------------------------------------- preflight
command -v docker >/dev/null || apt_install docker.io
docker info >/dev/null 2>&1 ||
  die "the Docker daemon is not reachable (start it first, e.g. 'dockerd >/var/log/dockerd.log 2>&1 &'), then rerun"
for f in packages.txt setup-base.sh Dockerfile; do
  [ -f "$DEPLOY/$f" ] || die "missing $DEPLOY/$f"
done

# One build at a time per host (CI jobs may share a daemon). The lock file is
# opened read-only so that another user's file in sticky /var/tmp works too.
lock="${SHIPYARD_IMAGE_WORKDIR:-/var/tmp}/shipyard-neo-image.lock"
[ -e "$lock" ] || { : >"$lock" && chmod 0644 "$lock"; }
exec 9<"$lock"
if ! flock -n 9; then
  log "waiting for another image build to finish"
  flock 9
fi

WORK="$(mktemp -d "${SHIPYARD_IMAGE_WORKDIR:-/var/tmp}/shipyard-image.XXXXXX")"

# ----------------------------------------------------------- >>> base recipe
# Everything between the ">>> base recipe" and "<<< base recipe" markers is part
# of the base hash: editing it rebuilds layer 1. Bump BASE_RECIPE to force a
# rebuild without another change (e.g. to pick up Debian security updates).
BASE_RECIPE=1
SUITE=bookworm

# mirror_for SUITE DEFAULT: the first URI the host's apt sources use for SUITE.
mirror_for() {
  local uri=""
  if [ -n "$(find /etc/apt/sources.list.d -maxdepth 1 -name '*.sources' -print -quit 2>/dev/null)" ]; then
    uri="$(awk -v want="$1" 'BEGIN { RS = ""; FS = "\n" }
      { u = ""; s = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u) }
          if ($i ~ /^Suites:/) { s = $i; sub(/^Suites:[ \t]*/, "", s) }
        }
        n = split(s, a, /[ \t]+/)
        for (j = 1; j <= n; j++) if (a[j] == want) { split(u, b, /[ \t]+/); print b[1]; exit }
      }' /etc/apt/sources.list.d/*.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(sed -e 's/\[[^]]*\]//' /etc/apt/sources.list | awk -v want="$1" '$1 == "deb" && $3 == want { print $2; exit }')"
  fi
  echo "${uri:-$2}"
}

build_base() { # build_base TAG
  local tag="$1" rootfs="$WORK/rootfs" mirror security
  [ "$(id -u)" -eq 0 ] || die "building the base image needs root (debootstrap, chroot)"
  command -v debootstrap >/dev/null || apt_install debootstrap
  mirror="${SHIPYARD_DEBIAN_MIRROR:-$(mirror_for "$SUITE" http://deb.debian.org/debian)}"
  security="${SHIPYARD_DEBIAN_SECURITY:-$(mirror_for "$SUITE-security" http://deb.debian.org/debian-security)}"

  log "base: debootstrap --variant=minbase $SUITE from $mirror"
  run_logged debootstrap debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror"

  # apt sources as in debian:bookworm-slim, pointed at the reachable mirrors.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -f "$rootfs/etc/resolv.conf"
  cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mkdir -p "$rootfs/tmp/ship-build"
  cp "$DEPLOY/packages.txt" "$DEPLOY/setup-base.sh" "$rootfs/tmp/ship-build/"

  log "base: apt-get install (deploy/ship/packages.txt) + user 1000 in the chroot"
  mount -t proc proc "$rootfs/proc" # the EXIT trap unmounts it on any failure
  run_logged setup-base env -i PATH="$IMAGE_PATH" HOME=/root LANG=C.UTF-8 \
    chroot "$rootfs" /bin/bash /tmp/ship-build/setup-base.sh /tmp/ship-build/packages.txt
  umount "$rootfs/proc"
  rm -rf "$rootfs/tmp/ship-build"
  : >"$rootfs/etc/resolv.conf" # Docker bind-mounts its own
  : >"$rootfs/etc/hostname"

  log "base: docker import ($(du -sh --one-file-system "$rootfs" | cut -f1) rootfs)"
  tar -C "$rootfs" --numeric-owner -cf - . |
    docker import -m "shipyard-neo ship base ($SUITE minbase + deploy/ship/packages.txt)" \
      -c "ENV PATH=$IMAGE_PATH" -c "ENV LANG=C.UTF-8" -c 'CMD ["/bin/bash"]' \
      -c "LABEL org.shipyard-neo.layer=ship-base org.shipyard-neo.base-recipe=$BASE_RECIPE" \
      - "$tag" >/dev/null
  rm -rf --one-file-system "$rootfs"
}
# ----------------------------------------------------------- <<< base recipe

base_hash() {
  {
    echo "packages:"
    sed -e 's/#.*//' "$DEPLOY/packages.txt" | tr -s ' \t' '\n' | sed -e '/^$/d' | LC_ALL=C sort -u
    echo "setup-base.sh:"
    cat "$DEPLOY/setup-base.sh"
    echo "recipe:"
    sed -n '/^# -* >>> base recipe$/,/^# -* <<< base recipe$/p' "$SELF"
  } | sha12
}

BASE_TAG="$BASE_REPO:$(base_hash)"
if [ "$FORCE" = 0 ] && image_exists "$BASE_TAG"; then
  log "base: $BASE_TAG exists ($(mib "$BASE_TAG")), skipping"
else
  build_base "$BASE_TAG"
  log "base: built $BASE_TAG ($(mib "$BASE_TAG"))"
fi

# ---------------------------------------------------------------- ship layer
# The Deno binary (not an npm launcher script): resolve symlinks, and ask Deno
# itself if what we found is not an ELF file.
deno_cmd="${DENO_BIN:-$(command -v deno || true)}"
[ -n "$deno_cmd" ] || die "deno is not on PATH (set DENO_BIN)"
DENO="$(readlink -f "$deno_cmd")"
if [ "$(head -c 4 "$DENO" | tail -c 3)" != "ELF" ]; then
  DENO="$(readlink -f "$("$DENO" eval --no-config 'console.log(Deno.execPath())')")"
fi
[ -x "$DENO" ] || die "no Deno binary at $DENO"
[ -d "$ROOT/node_modules/.deno" ] || die "no node_modules/ (run 'deno install --frozen' first)"

# What `deno run --cached-only --frozen ship/main.ts` needs: the root config and
# lock, every workspace member's config (Deno refuses a workspace with a missing
# member; their code is not needed), ship/ itself, and ALL of node_modules/
# (Deno re-checks every package in deno.lock, so a pruned copy fails with
# "npm package not found in cache").
# Hard links where possible (same filesystem): copying node_modules' ~5000
# files costs seconds on every run, cache hit or not. Nothing writes to CTX.
copy_tree() {
  cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2" && cp -a "$1" "$2"; }
}
CTX="$WORK/context"
mkdir -p "$CTX/app"
copy_tree "$DENO" "$CTX/deno"
copy_tree "$ROOT/node_modules" "$CTX/node_modules"
cp "$ROOT/deno.json" "$ROOT/deno.lock" "$CTX/app/"
[ -f "$ROOT/package.json" ] && cp "$ROOT/package.json" "$CTX/app/"
members_out="$("$DENO" eval --no-config \
  'for (const m of JSON.parse(Deno.readTextFileSync(Deno.args[0])).workspace ?? []) console.log(m)' \
  "$ROOT/deno.json")" || die "cannot read the workspace members from deno.json"
mapfile -t members <<<"$members_out"
for m in "${members[@]}"; do
  [ -n "$m" ] || continue
  m="${m#./}"
  m="${m%/}"
  [[ "$m" =~ ^[A-Za-z0-9._/-]+$ && "$m" != *..* ]] || die "unexpected workspace member: $m"
  [ -f "$ROOT/$m/deno.json" ] || die "workspace member $m has no deno.json"
  mkdir -p "$CTX/app/$m"
  cp "$ROOT/$m/deno.json" "$CTX/app/$m/"
  [ -f "$ROOT/$m/package.json" ] && cp "$ROOT/$m/package.json" "$CTX/app/$m/"
done
rm -rf "$CTX/app/ship"
copy_tree "$ROOT/ship" "$CTX/app/ship"
[ -f "$CTX/app/ship/main.ts" ] || die "ship/main.ts is missing"

# Keep these lines in step with the final stage of deploy/ship/Dockerfile.
cat >"$CTX/Dockerfile" <<EOF
FROM $BASE_TAG
COPY deno /opt/deno/deno
COPY node_modules/ /opt/shipyard/node_modules/
COPY app/ /opt/shipyard/
ENV PATH=/opt/deno:$IMAGE_PATH \\
    LANG=C.UTF-8 \\
    DENO_DIR=/opt/shipyard/.no-deno-dir \\
    DENO_NO_UPDATE_CHECK=1
WORKDIR /workspace
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/deno/deno", "run", "-A", "--cached-only", "--frozen", "--no-prompt", "--no-code-cache", "/opt/shipyard/ship/main.ts"]
EOF

# Deterministic hash of the context: names, modes, symlink targets and
# contents, with owners, times and hard links normalised.
SHIP_TAG="$SHIP_REPO:$(tar -C "$CTX" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --hard-dereference -cf - . | sha12)"
log "ship: context $(du -sh "$CTX" | cut -f1) (deno $("$DENO" --version | head -1 | cut -d' ' -f2), node_modules $(du -sh "$CTX/node_modules" | cut -f1))"

# smoke_test TAG: the image alone can load zeromq and the ship's whole module
# graph (read-only root, no network, no capabilities, no DENO_DIR).
smoke_test() {
  local tag="$1" out rc=0
  local hard=(--rm --read-only --tmpfs /tmp --network none --cap-drop ALL --security-opt no-new-privileges)
  out="$(echo 'const z = await import("zeromq"); const { z: zod } = await import("zod");
    if (typeof z.Dealer !== "function" || typeof zod.object !== "function") throw new Error("bad exports");
    console.log("zeromq+zod ok")' |
    docker run -i "${hard[@]}" --entrypoint /opt/deno/deno "$tag" \
      run -A --cached-only --frozen --no-code-cache --no-prompt --config /opt/shipyard/deno.json - 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "$out"
    log "smoke test: importing zeromq/zod failed (exit $rc)"
    return 1
  fi
  # No credential: the ship must load every module, then exit 2 on the missing token.
  rc=0
  out="$(docker run "${hard[@]}" "$tag" 2>&1)" || rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q credential <<<"$out"; then
    echo "$out"
    log "smoke test: the ship entrypoint did not get to its credential check (exit $rc)"
    return 1
  fi
}

if [ "$FORCE" = 0 ] && image_exists "$SHIP_TAG"; then
  log "ship: $SHIP_TAG exists ($(mib "$SHIP_TAG")), skipping"
else
  log "ship: docker build -> $SHIP_TAG"
  run_logged docker-build env DOCKER_BUILDKIT=0 docker build --rm --force-rm \
    --label "org.shipyard-neo.layer=ship" --label "org.shipyard-neo.base=$BASE_TAG" -t "$SHIP_TAG" "$CTX"
  log "ship: smoke test"
  if ! smoke_test "$SHIP_TAG"; then
    docker rmi "$SHIP_TAG" >/dev/null 2>&1 || true
    die "the new image failed its smoke test and was removed"
  fi
  log "ship: built $SHIP_TAG ($(mib "$SHIP_TAG"))"
fi
docker tag "$SHIP_TAG" "$SHIP_REPO:latest"

if [ "$PRUNE" = 1 ]; then
  for ref in $(docker image ls --format '{{.Repository}}:{{.Tag}}' "$SHIP_REPO") \
    $(docker image ls --format '{{.Repository}}:{{.Tag}}' "$BASE_REPO"); do
    case "$ref" in
      "$SHIP_TAG" | "$BASE_TAG" | "$SHIP_REPO:latest") ;;
      *)
        if docker rmi "$ref" >/dev/null 2>&1; then log "pruned $ref"; else log "kept $ref (in use)"; fi
        ;;
    esac
  done
fi
log "done: $SHIP_TAG (= $SHIP_REPO:latest, base $BASE_TAG)"
echo "$SHIP_TAG" >&3
