#!/usr/bin/env python3
"""Deploy benchmark: sitekeeper against aws s3 sync, rclone sync and lftp mirror -R.

Side by side in one run, on servers this script starts on 127.0.0.1 (never elsewhere):
OpenSSH sshd (the external sftp-server logging every request, for counting) and
moto_server behind a small counting HTTP proxy (requests and request-body bytes).

Input: a generated 2,000-page site (``/work/shared/bench/make_corpus.py OUT --pages 2000
--site``: ~2,050 files, 8 MB) deployed as a plain folder of files.

Scenarios per tool, each on a fresh target: initial upload, then
  (a) a rebuild with no change (every file touched: new mtimes, same bytes),
  (b) one page changed, same length,
  (c) one page deleted;
requests and bytes sent are counted for each. Then the initial upload time over SFTP
(sitekeeper vs rclone vs lftp) and to S3 (vs aws, rclone) as medians of ``--runs`` runs
with the tools taking turns round by round. Prints tables with ratios to sitekeeper. Not a
test: nothing asserts.

    python bench/deploy_bench.py [--pages 2000] [--runs 3]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import _servers  # noqa: E402,F401  (the loopback servers of tests/, with or without pytest)
from fixtures_deploy import FAKE_AWS, free_port, start_moto, start_sshd, stop  # noqa: E402

WORK = REPO / "bench" / "work" / "deploy"
CORPUS_TOOL = Path("/work/shared/bench/make_corpus.py")
REQ_RE = re.compile(r"request \d+: (?!sent)([a-z@.-]+)")
WRITE_RE = re.compile(r"request \d+: write .* len (\d+)")


# ---------------------------------------------------------------- S3 counting proxy

class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0
        self.methods: dict[str, int] = {}

    def reset(self):
        with self.lock:
            self.requests, self.bytes, self.methods = 0, 0, {}

    def snapshot(self):
        with self.lock:
            return self.requests, self.bytes, dict(self.methods)


def start_proxy(upstream_port: int, counter: Counter) -> tuple[ThreadingHTTPServer, int]:
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                out = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return out
                    out += self.rfile.read(size)
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _any(self):
            body = self._body()
            with counter.lock:
                counter.requests += 1
                counter.bytes += len(body)
                counter.methods[self.command] = counter.methods.get(self.command, 0) + 1
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "transfer-encoding"}
            headers["Content-Length"] = str(len(body))
            for attempt in range(2):
                try:
                    local.conn.request(self.command, self.path, body=body, headers=headers)
                    resp = local.conn.getresponse()
                    data = resp.read()
                    break
                except (http.client.HTTPException, OSError):
                    local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                    if attempt:
                        raise
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                    self.send_header(k, v)
            length = resp.getheader("Content-Length") if self.command == "HEAD" else None
            self.send_header("Content-Length", length or str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, port


# ---------------------------------------------------------------- tools

class Env:
    def __init__(self, sshd, sshd_fast, endpoint, counter):
        self.sshd, self.sshd_fast, self.endpoint, self.counter = sshd, sshd_fast, endpoint, counter
        self.known_hosts = WORK / "known_hosts"
        lines = []
        for s in (sshd, sshd_fast):
            pub = (s.key_file.parent / "host_ed25519.pub").read_text().split()
            lines.append(f"[127.0.0.1]:{s.port} {pub[0]} {pub[1]}")
        self.known_hosts.write_text("\n".join(lines) + "\n")
        self.aws = dict(os.environ, **FAKE_AWS)
        self.aws.pop("AWS_CA_BUNDLE", None)  # plain http on loopback; rclone refuses a CA bundle for it

    def sftp_log(self, sshd) -> Path:
        return sshd.key_file.parent / "sftp.log"


def sitekeeper_cmd(local: Path, url: str, extra: dict) -> list[str]:
    code = ("import json,sys\nfrom pathlib import Path\nfrom sitekeeper.deploy.apply import publish_folder\n"
            "from sitekeeper.config.deploy import parse_target\nfrom sitekeeper.report import RecordingReporter\n"
            "t=parse_target('bench', json.loads(sys.argv[1]), Path('.'))\n"
            "r=publish_folder(Path(sys.argv[2]), t, 'bench', RecordingReporter(), allow_deletes=True)\n"
            "print(json.dumps(r.as_json()))")
    return [sys.executable, "-c", code, json.dumps({"url": url, **extra}), str(local)]


def tool_commands(name: str, env: Env, local: Path, remote: str, fast: bool = False) -> list[str]:
    """The command that makes ``remote`` (a path on sshd, or bucket/prefix) equal ``local``."""
    sshd = env.sshd_fast if fast else env.sshd
    if name == "sitekeeper sftp":
        return sitekeeper_cmd(local, sshd.url(remote), {"host_key": sshd.fingerprint, "key_file": str(sshd.key_file)})
    if name == "sitekeeper s3":
        return sitekeeper_cmd(local, f"s3://{remote}", {"endpoint_url": env.endpoint})
    if name == "rclone sftp":
        return ["rclone", "sync", str(local), f":sftp:{remote}", "--sftp-host", "127.0.0.1",
                "--sftp-port", str(sshd.port), "--sftp-user", sshd.user, "--sftp-key-file", str(sshd.key_file),
                "--sftp-known-hosts-file", str(env.known_hosts), "--sftp-disable-hashcheck",
                "--sftp-shell-type", "none", "-q"]
    if name == "rclone s3":
        return ["rclone", "sync", str(local), f":s3:{remote}", "--s3-provider", "Other", "--s3-endpoint", env.endpoint,
                "--s3-access-key-id", "testing", "--s3-secret-access-key", "testing", "--s3-region", "us-east-1",
                "-q"]
    if name == "aws s3 sync":
        return ["aws", "--endpoint-url", env.endpoint, "s3", "sync", str(local), f"s3://{remote}", "--delete",
                "--only-show-errors"]
    if name == "lftp mirror -R":
        ssh = (f"ssh -a -x -i {sshd.key_file} -o UserKnownHostsFile={env.known_hosts} "
               f"-o StrictHostKeyChecking=yes -o BatchMode=yes")
        script = (f"set sftp:connect-program '{ssh}'; set net:max-retries 1; "
                  f"open -u {sshd.user}, -p {sshd.port} sftp://127.0.0.1; "
                  f"mirror -R --delete --no-perms {local} {remote}")
        return ["lftp", "-c", script]
    raise ValueError(name)


TOOLS = ["sitekeeper sftp", "rclone sftp", "lftp mirror -R", "sitekeeper s3", "aws s3 sync", "rclone s3"]


def run_counted(name: str, env: Env, local: Path, remote: str) -> tuple[int, int, float]:
    """(requests, bytes sent, seconds) of one run, counted at the server."""
    if "s3" in name:
        env.counter.reset()
    else:
        log = env.sftp_log(env.sshd)
        start = log.stat().st_size if log.exists() else 0
    t0 = time.monotonic()
    proc = subprocess.run(tool_commands(name, env, local, remote), capture_output=True, text=True, env=env.aws,
                          timeout=1800)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed: {proc.stderr[-2000:]}")
    if "s3" in name:
        time.sleep(0.2)
        requests, nbytes, _ = env.counter.snapshot()
        return requests, nbytes, seconds
    time.sleep(0.5)  # let sftp-server flush its log
    with open(env.sftp_log(env.sshd), "rb") as fh:
        fh.seek(start)
        text = fh.read().decode("utf-8", "replace")
    requests = len(REQ_RE.findall(text))
    nbytes = sum(int(n) for n in WRITE_RE.findall(text))
    return requests, nbytes, seconds


def touch_all(root: Path, when: float) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (when, when))


def same_length_edit(path: Path) -> None:
    data = bytearray(path.read_bytes())
    i = data.index(b"a") if b"a" in data else 0
    data[i] = ord("b") if data[i] != ord("b") else ord("c")
    path.write_bytes(bytes(data))


def make_bucket(env: Env, bucket: str) -> None:
    import boto3

    boto3.client("s3", endpoint_url=env.endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=bucket)


def scenarios(env: Env, corpus: Path) -> dict[str, dict[str, tuple[int, int, float]]]:
    results: dict[str, dict[str, tuple[int, int, float]]] = {}
    pages = sorted(p for p in corpus.rglob("*.md"))
    changed, deleted = pages[len(pages) // 2], pages[len(pages) // 3]
    for i, name in enumerate(TOOLS):
        local = WORK / f"local-{i}"
        shutil.rmtree(local, ignore_errors=True)
        shutil.copytree(corpus, local)
        if "s3" in name:
            bucket = f"bench-{i}-{int(time.time())}"
            make_bucket(env, bucket)
            remote = f"{bucket}/site"
        else:
            remote = str(env.sshd.home / f"t{i}" / "site")
            shutil.rmtree(Path(remote).parent, ignore_errors=True)
            Path(remote).parent.mkdir(parents=True)
        row = {}
        row["initial"] = run_counted(name, env, local, remote)
        touch_all(local, time.time() + 10)
        row["(a) rebuild, no change"] = run_counted(name, env, local, remote)
        same_length_edit(local / changed.relative_to(corpus))
        os.utime(local / changed.relative_to(corpus), (time.time() + 20, time.time() + 20))
        row["(b) one page edited"] = run_counted(name, env, local, remote)
        (local / deleted.relative_to(corpus)).unlink()
        row["(c) one page deleted"] = run_counted(name, env, local, remote)
        results[name] = row
        print(f"  {name}: " + ", ".join(f"{k.split(')')[0] + ')' if ')' in k else k}={v[0]} req/{v[1]} B"
                                        for k, v in row.items()), flush=True)
    return results


def timings(env: Env, corpus: Path, runs: int) -> dict[str, float]:
    """Median seconds of an initial upload (fresh target each run). The tools take turns
    round by round (sitekeeper, rclone, lftp, sitekeeper, ...) so that drift in the load of a
    shared machine shifts all of them alike rather than whichever ran during a busy minute."""
    names = [name for name in TOOLS if "s3" not in name]  # SFTP timing only; S3 is counted above
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(runs):
        for i, name in enumerate(names):
            remote = env.sshd_fast.home / f"time{i}" / "site"
            shutil.rmtree(remote.parent, ignore_errors=True)
            remote.parent.mkdir(parents=True)
            t0 = time.monotonic()
            proc = subprocess.run(tool_commands(name, env, corpus, str(remote), True), capture_output=True,
                                  text=True, env=env.aws, timeout=1800)
            samples[name].append(time.monotonic() - t0)
            if proc.returncode != 0:
                raise RuntimeError(f"{name} failed: {proc.stderr[-2000:]}")
        print(f"  round {r + 1}: " + ", ".join(f"{n} {samples[n][-1]:.2f} s" for n in names), flush=True)
    out = {name: statistics.median(v) for name, v in samples.items()}
    for name in names:
        print(f"  {name}: median {out[name]:.2f} s over {runs} runs "
              f"({', '.join(f'{x:.2f}' for x in samples[name])})", flush=True)
    (WORK / "timings.json").write_text(json.dumps(samples, indent=1))
    return out


def fmt_table(results, times) -> str:
    lines = []
    scen = list(next(iter(results.values())).keys())
    for group, base in (("SFTP", "sitekeeper sftp"), ("S3", "sitekeeper s3")):
        tools = [t for t in TOOLS if ("s3" in t) == (group == "S3")]
        lines.append(f"\n### {group}: requests / bytes sent (counted at the server)\n")
        lines.append("| scenario | " + " | ".join(tools) + " |")
        lines.append("|---" * (len(tools) + 1) + "|")
        for s in scen:
            cells = []
            for t in tools:
                req, nb, _ = results[t][s]
                b_req, b_nb, _ = results[base][s]
                ratio = "" if t == base else f" (x{req / b_req:.1f})" if b_req else ""
                cells.append(f"{req} req{ratio} / {nb:,} B")
            lines.append(f"| {s} | " + " | ".join(cells) + " |")
        if times and base in times:
            lines.append(f"\n{group} initial upload, median wall time: " + ", ".join(
                f"{t} {times[t]:.2f} s" + ("" if t == base else f" (x{times[t] / times[base]:.2f} of sitekeeper)")
                for t in tools))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-timing", action="store_true")
    args = ap.parse_args()
    for tool in ("rclone", "lftp", "aws", "moto_server"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed; see bench/README-deploy.md")
    WORK.mkdir(parents=True, exist_ok=True)
    corpus = WORK / f"corpus-{args.pages}"
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(CORPUS_TOOL), str(corpus), "--pages", str(args.pages), "--site"],
                       check=True)
    nfiles = sum(1 for p in corpus.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"site: {nfiles} files, {size / 1e6:.1f} MB")
    servers = WORK / "servers"
    shutil.rmtree(servers, ignore_errors=True)
    sshd = start_sshd(servers / "sshd-count", sftp_log=servers / "sshd-count" / "sftp.log")
    sshd_fast = start_sshd(servers / "sshd-fast")
    moto = start_moto(servers / "moto")
    counter = Counter()
    proxy, proxy_port = start_proxy(int(moto.endpoint.rsplit(":", 1)[1]), counter)
    try:
        env = Env(sshd, sshd_fast, f"http://127.0.0.1:{proxy_port}", counter)
        print("requests and bytes per scenario:")
        results = scenarios(env, corpus)
        times = {} if args.skip_timing else (print("initial SFTP upload timing (sshd without request logging):") or timings(env, corpus, args.runs))  # noqa: E501
        table = fmt_table(results, times)
        print(table)
        (WORK / "results.json").write_text(json.dumps({"results": results, "times": times}, indent=1))
    finally:
        proxy.shutdown()
        for s in (sshd, sshd_fast):
            stop(s.proc)
        stop(moto.proc)


if __name__ == "__main__":
    main()
