#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for sitekeeper.
#   scripts/setup.sh           install sitekeeper (pip, editable) and its runtime dependencies
#   scripts/setup.sh --test    also what the test suite uses: Debian chromium and openssh-server,
#                              pytest, hypothesis, playwright (driving Debian's chromium), moto, aiosmtpd
#   scripts/setup.sh --bench   also the peers of the benchmarks: hugo, rclone, lftp, awscli, pelican
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0 want_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --bench) want_bench=1; want_test=1 ;;
    *) echo "usage: scripts/setup.sh [--test] [--bench]" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_packages=()
need() { command -v "$1" >/dev/null 2>&1 || [ -x "$2" ] || apt_packages+=("$3"); }
if [ "$want_test" = 1 ]; then
  need chromium /usr/bin/chromium chromium
  need sshd /usr/sbin/sshd openssh-server
  need ssh-keygen /usr/bin/ssh-keygen openssh-client
  need openssl /usr/bin/openssl openssl
fi
if [ "$want_bench" = 1 ]; then
  need hugo /usr/bin/hugo hugo
  need rclone /usr/bin/rclone rclone
  need lftp /usr/bin/lftp lftp
  need aws /usr/bin/aws awscli
  need hyperfine /usr/bin/hyperfine hyperfine
  [ -x /usr/bin/time ] || apt_packages+=(time)
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${apt_packages[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

extras=""
[ "$want_test" = 1 ] && extras="test"
[ "$want_bench" = 1 ] && extras="test,bench"
spec="."
[ -n "$extras" ] && spec=".[$extras]"
python3 -m pip install -q --disable-pip-version-check -e "$spec" 2>&1 | grep -v "Running pip as the 'root' user" || true
python3 -c "import sitekeeper" || { echo "sitekeeper did not install" >&2; exit 1; }
# pyenv creates the `sitekeeper` shim only on a rehash (`python3 -m pip` does not trigger one).
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
if ! command -v sitekeeper >/dev/null 2>&1; then
  echo "note: the sitekeeper command is not on PATH; add $(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))') to PATH, or use: python3 -m sitekeeper" >&2
fi
