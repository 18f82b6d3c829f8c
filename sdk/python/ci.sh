#!/usr/bin/env bash
# CI for the Python SDK: a venv in sdk/python/.venv (reused), the package and
# its test tools from PyPI, then ruff, mypy (strict), pytest against a real Bay
# started by the tests, and a wheel build. Idempotent; fast on a second run.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
started=$(date +%s)
say() { echo "[sdk/python] $*" >&2; }

# Deno, bubblewrap and the sandbox runtime (IPython) for the test Bay, plus
# python3-venv: the repository's own helpers install whatever is missing.
source "$REPO/scripts/_env.sh"
if [ -x "$REPO/.tools/node_modules/.bin/deno" ] || ! command -v deno >/dev/null; then
  ensure_deno
fi
ensure_packages "${RUNTIME_PACKAGES[@]}" python3-venv
(cd "$REPO" && deno install --frozen >&2)

PY=/usr/bin/python3
VENV="$HERE/.venv"
if ! "$VENV/bin/python" -c 'import sys' 2>/dev/null \
  || [ "$("$VENV/bin/python" -c 'import platform; print(platform.python_version())')" != \
       "$("$PY" -c 'import platform; print(platform.python_version())')" ]; then
  say "creating $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
stamp="$VENV/.deps-$(cat "$HERE/pyproject.toml" "$HERE/constraints.txt" | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  say "installing the package and test tools"
  "$VPY" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VPY" -m pip install -q --disable-pip-version-check -c "$HERE/constraints.txt" -e "$HERE[test]"
  rm -f "$VENV"/.deps-*
  touch "$stamp"
fi

cd "$HERE"
say "ruff"
"$VENV/bin/ruff" check src tests
"$VENV/bin/ruff" format --check src tests
say "mypy (strict)"
"$VENV/bin/mypy"
say "pytest"
"$VENV/bin/pytest" -q -p no:cacheprovider
say "wheel"
rm -rf dist
"$VPY" -m build --wheel --no-isolation --outdir dist . >/dev/null
wheel="$(ls dist/*.whl)"
check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
"$VPY" -m pip install -q --disable-pip-version-check --no-deps --target "$check" "$wheel"
(cd "$check" && PYTHONPATH="$check" "$VPY" -c \
  'import importlib.resources as r, shipyard_neo as s; assert r.files(s).joinpath("py.typed").is_file(); print("wheel ok:", s.__version__, s.__file__)')
say "built $wheel in $(( $(date +%s) - started ))s total"
