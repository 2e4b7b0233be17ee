#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up (into .venv/), then pytest. The tests start
# and stop their own servers (OpenSSH sshd, an S3-compatible server, SMTP) on 127.0.0.1 and
# drive Debian's chromium headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# The lint gate first (pyproject.toml [tool.ruff]): pyflakes, bugbear, complexity <= 25.
.venv/bin/ruff check . || { echo "test: ruff found problems (above); fix them before the tests run" >&2; exit 1; }
# The type gate (pyproject.toml [tool.mypy]): the modules not listed in its overrides must type-check.
.venv/bin/python -m mypy || { echo "test: mypy found type errors (above); fix them before the tests run" >&2; exit 1; }
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
