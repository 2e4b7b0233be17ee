#!/usr/bin/env python3
"""FTPS deploy benchmark: sitekeeper against ``lftp mirror -R``, side by side in one run.

Both talk FTP over explicit TLS to one ProFTPD this script starts on 127.0.0.1 (never
elsewhere; tests/fixtures_ftp.start_proftpd, with a command log: one line per FTP command and
the bytes it moved). Input: a generated site of ``--pages`` pages (a few assets, one
index.html per page), deployed as a plain folder.

Scenarios per tool, each on a fresh docroot: initial upload, then
  (a) a rebuild with no change (every file touched: new mtimes, same bytes),
  (b) one page changed, same length,
  (c) one page deleted;
FTP commands and bytes stored are counted at the server for each, with the wall time.
Prints a table with ratios to sitekeeper. Not a test: nothing asserts.

    python bench/ftps_bench.py [--pages 300]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import _servers  # noqa: E402,F401  (the loopback servers of tests/, with or without pytest)
from fixtures_deploy import stop  # noqa: E402
from fixtures_ftp import PASSWORD_ENV, start_proftpd  # noqa: E402


def make_site(root: Path, pages: int) -> None:
    for i in range(pages):
        p = root / f"p{i:04d}" / "index.html"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"<h1>Page %04d</h1>" % i + b"<p>lorem ipsum dolor sit amet</p>" * 40)
    (root / "style.css").write_bytes(b"body{color:#333}" * 200)
    (root / "img").mkdir(exist_ok=True)
    for i in range(5):
        (root / "img" / f"photo{i}.jpg").write_bytes(os.urandom(200_000))
    (root / "index.html").write_bytes(b"".join(b'<a href="/p%04d/">p</a>' % i for i in range(pages)))


def commands(tool: str, server, local: Path, remote: str) -> list[str]:
    if tool == "sitekeeper":
        code = ("import json,sys\nfrom pathlib import Path\nfrom sitekeeper.deploy.apply import publish_folder\n"
                "from sitekeeper.config.deploy import parse_target\nfrom sitekeeper.report import RecordingReporter\n"
                "t=parse_target('bench', json.loads(sys.argv[1]), Path('.'))\n"
                "r=publish_folder(Path(sys.argv[2]), t, 'bench', RecordingReporter(), allow_deletes=True)\n"
                "print(json.dumps(r.as_json()))")
        table = {"url": server.url(remote), "password_env": PASSWORD_ENV, "cert_fingerprint": server.cert_fingerprint}
        return [sys.executable, "-c", code, json.dumps(table), str(local)]
    script = (f"set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:verify-certificate no; "
              f"set net:max-retries 1; open -u {server.user},{server.password} -p {server.port} ftp://127.0.0.1; "
              f"mirror -R --delete --no-perms --parallel=1 {local} {remote}")
    return ["lftp", "-c", script]


def counted(tool: str, server, log: Path, local: Path, remote: str) -> tuple[int, int, float]:
    start = log.stat().st_size if log.exists() else 0
    t0 = time.monotonic()
    proc = subprocess.run(commands(tool, server, local, remote), capture_output=True, text=True,
                          env=dict(os.environ, **server.env, PYTHONPATH=str(REPO)), timeout=3600)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} failed: {proc.stderr[-2000:]}")
    time.sleep(0.3)
    with open(log, "rb") as fh:
        fh.seek(start)
        lines = fh.read().decode("utf-8", "replace").splitlines()
    requests = len(lines)
    stored = sum(int(b) for m, _, b in (l.partition(" ") for l in lines) if m == "STOR" and b.isdigit())
    return requests, stored, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=300)
    args = ap.parse_args()
    if not shutil.which("lftp"):
        sys.exit("lftp is not installed (scripts/setup.sh --bench)")
    work = Path(tempfile.mkdtemp(prefix="sitekeeper-ftps-bench-"))
    log = work / "commands.log"
    server = start_proftpd(work / "ftpd", sftp=False, command_log=log)
    try:
        results: dict[str, dict[str, tuple[int, int, float]]] = {}
        for tool in ("sitekeeper", "lftp mirror -R"):
            local = work / f"site-{tool.split()[0]}"
            make_site(local, args.pages)
            remote = f"/{tool.split()[0]}/www"
            row = results[tool] = {}
            row["initial upload"] = counted(tool, server, log, local, remote)
            when = time.time() + 5
            for p in local.rglob("*"):
                if p.is_file():
                    os.utime(p, (when, when))
            row["(a) no change"] = counted(tool, server, log, local, remote)
            page = local / "p0007" / "index.html"
            page.write_bytes(page.read_bytes().replace(b"Page 0007", b"Page 7000"))
            row["(b) one edit"] = counted(tool, server, log, local, remote)
            shutil.rmtree(local / "p0011")
            row["(c) one delete"] = counted(tool, server, log, local, remote)
    finally:
        stop(server.proc)
    files = args.pages + 7
    print(f"FTPS (explicit TLS) to ProFTPD on 127.0.0.1, {files} files; FTP commands / bytes stored / seconds; "
          "ratio = peer / sitekeeper")
    print(f"{'scenario':<16} {'tool':<16} {'commands':>9} {'bytes':>11} {'seconds':>8}   ratio (commands, bytes, time)")
    for scenario in results["sitekeeper"]:
        base = results["sitekeeper"][scenario]
        for tool, row in results.items():
            r, b, s = row[scenario]
            ratio = "" if tool == "sitekeeper" else "   " + ", ".join(
                f"{x / y:.2f}" if y else ("=" if x == y else "inf") for x, y in ((r, base[0]), (b, base[1]), (s, base[2])))
            print(f"{scenario:<16} {tool:<16} {r:>9} {b:>11} {s:>8.2f}{ratio}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
