#!/bin/bash
# Base layer recipe of the ship runtime image. It runs as root INSIDE the
# target root filesystem, and both build paths run this same file:
#   - deploy/ship/Dockerfile: `RUN bash setup-base.sh packages.txt` on debian:bookworm-slim
#   - scripts/image.sh: `chroot <debootstrap minbase root> bash setup-base.sh packages.txt`
# Usage: setup-base.sh PACKAGES_FILE
# Changing this file changes the base image hash in scripts/image.sh.
set -euo pipefail

pkg_file="${1:?usage: setup-base.sh PACKAGES_FILE}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

# The package list: `#` starts a comment, names are separated by blanks.
mapfile -t packages < <(sed -e 's/#.*//' "$pkg_file" | tr -s ' \t' '\n' | sed -e '/^$/d')
for p in "${packages[@]}"; do
  [[ "$p" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || { echo "bad package name: $p" >&2; exit 1; }
done

# Same dpkg filter as debian:bookworm-slim (there it already exists, so this is a no-op).
cat >/etc/dpkg/dpkg.cfg.d/shipyard-slim <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF

# No service may start during the build.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d

apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
apt-get clean
rm -rf /var/lib/apt/lists/*

# The sandbox user: user code runs as uid/gid 1000, home = the cargo mount.
groupadd --gid 1000 user
useradd --uid 1000 --gid 1000 --home-dir /workspace --no-create-home --shell /bin/bash user
install -d -o 1000 -g 1000 -m 0755 /workspace
chmod 1777 /tmp

# Drop what the dpkg filter would have kept out of files installed before it
# existed (debootstrap's own packages), and build leftovers.
find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
find /usr/share/doc -mindepth 1 -depth -type d -empty -delete
rm -rf /usr/share/groff/* /usr/share/info/* /usr/share/linda/* /usr/share/lintian/* \
  /usr/share/locale/* /usr/share/man/*
rm -f /usr/sbin/policy-rc.d /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/*.log \
  /var/cache/debconf/*-old /var/lib/dpkg/*-old
rm -rf /var/cache/apt/*.bin /var/log/apt/eipp.log.xz

# Fail the build, not the first session, if the kernel stack cannot import.
# The import also builds matplotlib's font cache (about 3 s on first use) into a
# read-only seed dir: copy its fontlist-*.json into a fresh MPLCONFIGDIR to skip that.
install -d -m 0755 /usr/local/share/shipyard/matplotlib
MPLCONFIGDIR=/usr/local/share/shipyard/matplotlib \
  python3 -c 'import ipykernel, numpy, pandas, matplotlib.font_manager'
chmod -R a+rX /usr/local/share/shipyard
