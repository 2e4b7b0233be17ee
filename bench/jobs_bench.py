#!/usr/bin/env python3
"""Clients in parallel: `publish --all` of N copies of the demo clients, `--jobs 1` against `--jobs 2`.

    python3 bench/jobs_bench.py [--clients 8] [--runs 5] [--jobs 2] [--sftp MS]

Copies the repository's two demo sites N/2 times each (a folder target each), then takes
turns round by round, whole processes: a cold `publish --all --jobs 1` and `--jobs J` (build
cache, state and targets removed before each), then a no-op `publish --all` of each (nothing
changed since). With ``--sftp MS`` the targets are instead SFTP folders on a local OpenSSH
sshd reached through a proxy that holds every chunk MS milliseconds each way (a far host),
all clients on that one host (max_connections_per_host = 2). Prints medians and the ratios
(jobs J / jobs 1: below 1 is faster); nothing here asserts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-06-10T10:00:00+02:00"


class SlowProxy:
    """127.0.0.1 -> upstream, every chunk held ``delay`` seconds before it is passed on."""

    def __init__(self, upstream: tuple[str, int], delay: float):
        import socket
        import threading

        self.upstream, self.delay = upstream, delay
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import socket
        import threading

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            up = socket.create_connection(self.upstream)
            for a, b in ((conn, up), (up, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a, b) -> None:
        try:
            while data := a.recv(65536):
                time.sleep(self.delay)
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass


def sftp_targets(ws: Path, sshd, port: int) -> None:
    for toml in sorted((ws / "sites").glob("*/site.toml")):
        text = toml.read_text(encoding="utf-8").split("\n[deploy.live]\n")[0]
        docroot = sshd.home / f"bench-{toml.parent.name}"
        toml.write_text(text + f'\n[deploy.live]\nurl = "sftp://{sshd.user}@127.0.0.1:{port}{docroot}"\n'
                        f'host_key = "{sshd.fingerprint}"\nkey_file = "{sshd.key_file}"\n', encoding="utf-8")
    (ws / "sitekeeper.toml").write_text("max_connections_per_host = 2\n", encoding="utf-8")


def make_workspace(root: Path, clients: int) -> Path:
    demos = sorted(p for p in (REPO / "sites").iterdir() if (p / "site.toml").is_file())
    (root / "sites").mkdir(parents=True)
    for i in range(clients):
        demo = demos[i % len(demos)]
        name = f"{demo.name[:50]}-{i:03d}"
        shutil.copytree(demo, root / "sites" / name)
        toml = root / "sites" / name / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy.live]\nurl = "dir:{root}/docroots/{name}"\n',
                        encoding="utf-8")
        if (REPO / "campaigns" / demo.name).is_dir():
            shutil.copytree(REPO / "campaigns" / demo.name, root / "campaigns" / name)
    return root


def run(ws: Path, *args: str) -> float:
    env = {**os.environ, "SITEKEEPER_NOW": NOW, "PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "sitekeeper", *args], cwd=ws, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"sitekeeper {' '.join(args)} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return wall


def cold(ws: Path, sshd=None) -> None:
    for name in (".sitekeeper", "docroots"):
        shutil.rmtree(ws / name, ignore_errors=True)
    if sshd is not None:
        for folder in sshd.home.glob("*bench-*"):  # the docroots and the state beside them
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sftp", type=float, default=None, metavar="MS",
                    help="deploy over SFTP to a local sshd behind a proxy holding each chunk MS ms")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    j = str(args.jobs)
    sshd = None
    try:
        ws = make_workspace(base / "ws", args.clients)
        if args.sftp is not None:
            sys.path.insert(0, str(REPO / "tests"))
            from fixtures_deploy import start_sshd

            sshd = start_sshd(base / "sshd")
            proxy = SlowProxy((sshd.host, sshd.port), args.sftp / 1000)
            sftp_targets(ws, sshd, proxy.port)
        times: dict[str, list[float]] = {"cold --jobs 1": [], f"cold --jobs {j}": [],
                                         "no-op --jobs 1": [], f"no-op --jobs {j}": []}
        for i in range(args.runs):
            for jobs in ("1", j) if i % 2 == 0 else (j, "1"):  # take turns: neither always goes first
                cold(ws, sshd)
                times[f"cold --jobs {jobs}"].append(run(ws, "publish", "--all", "--yes", "--jobs", jobs))
                times[f"no-op --jobs {jobs}"].append(run(ws, "publish", "--all", "--yes", "--jobs", jobs))
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), file=sys.stderr)
        med = {k: statistics.median(v) for k, v in times.items()}
        where = f"SFTP through {args.sftp:g} ms each way" if sshd else "folder targets"
        print(f"{args.clients} demo-copy clients, {where}, {os.cpu_count()} cores, median of {args.runs}:")
        for k, v in med.items():
            print(f"  publish --all {k:16} {v:6.2f} s")
        for kind in ("cold", "no-op"):
            print(f"  {kind}: --jobs {j} / --jobs 1 = {med[f'{kind} --jobs {j}'] / med[f'{kind} --jobs 1']:.2f}")
    finally:
        if sshd is not None:
            sshd.proc.terminate()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
