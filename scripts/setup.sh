#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for sitekeeper.
#   scripts/setup.sh           install sitekeeper and its runtime dependencies into .venv/, put
#                              the `sitekeeper` command on the PATH you already have, and (where
#                              it can: root, sudo, apt-get) what the PNG proofs of emails and the
#                              report's PDF need: Debian chromium and playwright
#   scripts/setup.sh --no-browser   the same without chromium and playwright (previews then skip
#                              their PNG proofs and reports their PDF, and say so)
#   scripts/setup.sh --relink  also re-point an existing `sitekeeper` link that belongs to
#                              another checkout (left alone otherwise, with a note)
#   scripts/setup.sh --proofs  chromium and playwright, and fail if they cannot be installed
#   scripts/setup.sh --test    also what the test suite uses: Debian chromium, openssh-server,
#                              proftpd (FTPS, its SFTP, quotas), dovecot-imapd, poppler-utils (pdftotext,
#                              to read the report PDFs), a Java runtime, pytest, hypothesis,
#                              playwright (driving Debian's chromium), moto, aiosmtpd, and from npm
#                              into tests/.node/: s3rver and the theme's outside judges, the Nu HTML
#                              Checker (vnu-jar, run with java) and Lighthouse (on Debian's chromium)
#   scripts/setup.sh --bench   also the peers of the benchmarks: hugo, rclone, lftp, awscli, pelican
#
# The distribution's python3 refuses `pip install` (PEP 668), so sitekeeper lives in its own
# virtual environment (.venv/ in this folder) and a link to .venv/bin/sitekeeper goes into
# a folder on PATH: $SITEKEEPER_BIN_DIR if set, else /usr/local/bin (as root, or with sudo),
# else ~/.local/bin. Any failure stops the set-up with a message and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)

want_test=0 want_bench=0 want_proofs=0 no_browser=0 relink=0
for arg in "$@"; do
  case "$arg" in
    --proofs) want_proofs=1 ;;
    --no-browser) no_browser=1 ;;
    --relink) relink=1 ;;
    --test) want_test=1; want_proofs=1 ;;
    --bench) want_bench=1; want_test=1; want_proofs=1 ;;
    *) echo "usage: scripts/setup.sh [--no-browser] [--relink] [--proofs] [--test] [--bench]" >&2; exit 2 ;;
  esac
done
if [ "$no_browser" = 1 ] && [ "$want_proofs" = 1 ]; then
  echo "usage: --no-browser cannot go with --proofs, --test or --bench (they need the browser)" >&2; exit 2
fi

fail() { echo "setup: $*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null 2>&1 || fail "no python3 on PATH: install it (apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "sitekeeper needs Python 3.11 or newer; $("$PYTHON" --version 2>&1) found"

# The browser by default, where this machine lets us install it: the client approves a campaign
# from its PNG proofs, and the monthly report's PDF is printed by it.
browser_note="" browser_default=0
if [ "$want_proofs" = 0 ] && [ "$no_browser" = 0 ]; then
  if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    want_proofs=1
  elif ! command -v apt-get >/dev/null 2>&1; then
    browser_note="no apt-get here: install Chromium yourself for PNG proofs and report PDFs, then run scripts/setup.sh again"
  elif [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    browser_note="not root and no sudo: Debian's chromium was not installed (as root: apt-get install chromium; then run scripts/setup.sh again); previews skip their PNG proofs and reports their PDF"
  else
    browser_default=1
  fi
fi

apt_packages=()
need() { command -v "$1" >/dev/null 2>&1 || [ -x "$2" ] || apt_packages+=("$3"); }
# `python3 -m venv` needs ensurepip, which Debian and Ubuntu ship in python3-venv.
if [ ! -x .venv/bin/python ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt_packages+=(python3-venv)
fi
if [ "$want_proofs" = 1 ]; then
  need chromium /usr/bin/chromium chromium
fi
if [ "$want_test" = 1 ]; then
  need sshd /usr/sbin/sshd openssh-server
  need ssh-keygen /usr/bin/ssh-keygen openssh-client
  need openssl /usr/bin/openssl openssl
  need proftpd /usr/sbin/proftpd proftpd-core
  [ -f /usr/lib/proftpd/mod_sftp.so ] || apt_packages+=(proftpd-mod-crypto)
  need dovecot /usr/sbin/dovecot dovecot-imapd
  need npm /usr/bin/npm npm   # s3rver, vnu-jar, lighthouse
  need java /usr/bin/java default-jre-headless   # runs the Nu HTML Checker (vnu.jar)
  need pdftotext /usr/bin/pdftotext poppler-utils
fi
if [ "$want_bench" = 1 ]; then
  need hugo /usr/bin/hugo hugo
  need rclone /usr/bin/rclone rclone
  need lftp /usr/bin/lftp lftp
  need aws /usr/bin/aws awscli
  need hyperfine /usr/bin/hyperfine hyperfine
  [ -x /usr/bin/time ] || apt_packages+=(time)
fi
apt_updated=0
if [ "${#apt_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    fail "these Debian packages are needed: ${apt_packages[*]}; install them as root (apt-get install ${apt_packages[*]})"
  fi
  echo "installing Debian packages: ${apt_packages[*]}" >&2
  $SUDO apt-get update -qq || fail "apt-get update failed"
  apt_updated=1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null \
    || fail "apt-get install ${apt_packages[*]} failed"
fi

if [ "$browser_default" = 1 ]; then
  # Best effort: without a browser everything works but the PNG proofs and the report's PDF.
  echo "installing Debian's chromium (for PNG proofs and report PDFs; --no-browser skips it)" >&2
  if { [ "$apt_updated" = 1 ] || $SUDO apt-get update -qq; } \
     && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null \
     && { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }; then
    want_proofs=1
  else
    browser_note="chromium could not be installed (see above); previews skip their PNG proofs and reports their PDF until it is (apt-get install chromium, then scripts/setup.sh again)"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "creating the virtual environment .venv/" >&2
  "$PYTHON" -m venv .venv || { rm -rf .venv; fail "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"; }
fi
VPY="$here/.venv/bin/python"

extras=""
[ "$want_proofs" = 1 ] && extras="proofs"
[ "$want_test" = 1 ] && extras="proofs,test"
[ "$want_bench" = 1 ] && extras="proofs,test,bench"
spec="."
[ -n "$extras" ] && spec=".[$extras]"
echo "installing sitekeeper${extras:+ with [$extras]} into .venv/" >&2
"$VPY" -m pip install -q --disable-pip-version-check -e "$spec" || fail "pip install into .venv failed (see above)"
"$VPY" -c "import sitekeeper" || fail "sitekeeper did not install"
if [ "$want_test" = 1 ]; then
  # s3rver: an S3-compatible store without conditional writes. vnu-jar (the Nu HTML Checker)
  # and lighthouse judge the built theme (tests/test_judges.py); Lighthouse drives Debian's
  # chromium through CHROME_PATH, and nothing here downloads a browser.
  # All three in one install whenever one is missing: npm removes from tests/.node what its
  # package.json does not list, so installing only the missing one would drop the others.
  node_tools=(s3rver@3.7.1 vnu-jar@26.9.27 lighthouse@12.8.2)
  if [ ! -x tests/.node/node_modules/.bin/s3rver ] || [ ! -f tests/.node/node_modules/vnu-jar/build/dist/vnu.jar ] \
     || [ ! -x tests/.node/node_modules/.bin/lighthouse ]; then
    echo "installing ${node_tools[*]} (npm) into tests/.node/" >&2
    PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix tests/.node --no-audit --no-fund --silent "${node_tools[@]}" >/dev/null \
      || fail "npm install ${node_tools[*]} failed"
  fi
fi

# Put the command on a folder the user's PATH already has.
bin_dir=${SITEKEEPER_BIN_DIR:-}
if [ -z "$bin_dir" ]; then
  if [ -w /usr/local/bin ] || { [ -n "$SUDO" ] && [ -d /usr/local/bin ]; }; then
    bin_dir=/usr/local/bin
  else
    bin_dir="$HOME/.local/bin"
  fi
fi
link="$bin_dir/sitekeeper"
ours="$here/.venv/bin/sitekeeper"
# A `sitekeeper` already there that is not this checkout's (another clone, another install) is
# someone's working command: leave it, and say how to take it over.
other=""
if [ -L "$link" ] || [ -e "$link" ]; then
  current=$(readlink -f "$link" 2>/dev/null || echo "$link")
  if [ "$current" != "$(readlink -f "$ours")" ]; then other="$current"; fi
fi
if [ -n "$other" ] && [ "$relink" = 0 ]; then
  echo "note: $link already leads to $other (not this checkout); left as it is." >&2
  echo "      Run scripts/setup.sh --relink to point it here, or use $ours" >&2
else
  [ -n "$other" ] && echo "re-pointing $link (it led to $other)" >&2
  if [ -w "$bin_dir" ] || { [ ! -e "$bin_dir" ] && mkdir -p "$bin_dir" 2>/dev/null; }; then
    ln -sfn "$ours" "$link" || fail "could not link $link"
  else
    $SUDO ln -sfn "$ours" "$link" || fail "could not link $link"
  fi
fi
hash -r 2>/dev/null || true
found=$(command -v sitekeeper || true)
if [ -z "$found" ]; then
  echo "note: $bin_dir is not on your PATH; add it (export PATH=\"$bin_dir:\$PATH\") or run $here/.venv/bin/sitekeeper" >&2
elif [ "$(readlink -f "$found")" != "$(readlink -f "$here/.venv/bin/sitekeeper")" ]; then
  echo "note: \`sitekeeper\` on your PATH is $found, not this set-up's; $link is later on PATH" >&2
fi
[ -n "$browser_note" ] && echo "note: $browser_note" >&2
if [ -n "$other" ] && [ "$relink" = 0 ]; then
  echo "sitekeeper is installed in .venv/bin/sitekeeper ($link left to $other)" >&2
else
  echo "sitekeeper is installed: $link -> .venv/bin/sitekeeper" >&2
fi
