"""Sending speed and memory, side by side in one run.

    python bench/send_bench.py [--recipients 10000] [--big 100000] [--runs 3] [--dkim]

One aiosmtpd server (its own process, the Sink handler: accepts and discards) on 127.0.0.1.
Against it, in turn:

  floor        a bare smtplib loop: one connection, pre-rendered messages of the demo
               campaign's size, ``sendmail`` per recipient (nothing else: no ledger, no render)
  sitekeeper   `sitekeeper campaign send` of the demo bakery campaign to N recipients in a
               fresh copy of the demo workspace (ledger in the local state store, lock,
               streaming, rendering and composing every message); wall time of the command

With --dkim the campaign is signed (RSA-2048, or RSA and Ed25519 with --dkim both) and the
floor sends the very bytes sitekeeper sent, signatures included, unsigned by the loop: the
ratio is then the cost of signing next to the cost of sending.

Prints medians, messages per second and the ratio sitekeeper / floor, then the peak memory
(max RSS) of `campaign send` at N and at the --big size (0 skips it).
"""
from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = "baeckerei-sonnenkorn/adventsaktion"
DUE = "2026-11-25T10:00:00+01:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("aiosmtpd did not start")


def dkim_key(base: Path, kind: str) -> Path:
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    def pem(k):
        return k.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    data = pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    if kind == "both":
        data += pem(ed25519.Ed25519PrivateKey.generate())
    path = base / "dkim.pem"
    path.write_bytes(data)
    return path


def demo_copy(ws: Path, mail: str) -> Path:
    """A fresh copy of the demo workspace at ``ws``, ``mail`` added to the bakery's [mail]."""
    if ws.exists():
        shutil.rmtree(ws)
    ws.mkdir(parents=True)
    for name in ("sites", "campaigns"):
        shutil.copytree(REPO / name, ws / name)
    toml = ws / "sites" / "baeckerei-sonnenkorn" / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[mail]\n", "[mail]\n" + mail, 1), encoding="utf-8")
    return ws


def dkim_settings(key: Path | None) -> str:
    return f'dkim_selector = "sk1"\ndkim_key_file = "{key}"\n' if key else ""


def workspace(base: Path, n: int, port: int, key: Path | None = None) -> Path:
    ws = demo_copy(base / f"ws-{n}", f'transport = "smtp://127.0.0.1:{port}"\ntls = "none"\n' + dkim_settings(key))
    with open(ws / "campaigns" / "baeckerei-sonnenkorn" / "audience.csv", "w", encoding="utf-8") as fh:
        fh.write("email,name,lang,tags,consented_at,source\n")
        for i in range(n):
            fh.write(f"reader{i:07d}@example.net,Reader {i},{'de' if i % 3 else 'en'},stollen,2025-01-01,bench\n")
    run(ws, "campaign", "approve", SPEC, "--by", "Bench", now="2026-11-01T10:00:00+01:00")
    return ws


def run(ws: Path, *args: str, now: str = DUE) -> tuple[float, int]:
    """(wall seconds, max RSS in KB of the child)."""
    env = {**os.environ, "SITEKEEPER_NOW": now, "PYTHONPATH": str(REPO)}
    err = tempfile.TemporaryFile()
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sitekeeper", *args], cwd=ws, env=env,
                            stdout=subprocess.DEVNULL, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (max RSS), not all children's
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err.seek(0)
        raise SystemExit(f"sitekeeper {' '.join(args)} failed:\n{err.read().decode()}")
    return wall, usage.ru_maxrss


def signed_sample(base: Path, key: Path) -> bytes:
    """One message exactly as sitekeeper signs it (sent to the outbox)."""
    ws = demo_copy(base / "ws-sample", dkim_settings(key))
    run(ws, "campaign", "approve", SPEC, "--by", "Bench", now="2026-11-01T10:00:00+01:00")
    run(ws, "campaign", "send", SPEC)
    return sample_message(ws)


def sample_message(ws: Path) -> bytes:
    eml = next((ws / "outbox").rglob("*.eml"), None) if (ws / "outbox").exists() else None
    if eml is None:
        out = ws / "preview"
        run(ws, "campaign", "preview", SPEC, "--lang", "de", "--no-proof", "--out", str(out))
        eml = out / "de.eml"
    return eml.read_bytes()


def floor(port: int, n: int, data: bytes) -> float:
    messages = [data.replace(b"To: ", b"To: reader%07d@example.net\r\nX-Orig-To: " % i, 1) for i in range(n)]
    t = time.perf_counter()
    conn = smtplib.SMTP("127.0.0.1", port)
    for i, msg in enumerate(messages):
        conn.sendmail("news@baeckerei-sonnenkorn.example", [f"reader{i:07d}@example.net"], msg)
    conn.quit()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=10_000)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dkim", nargs="?", const="rsa", choices=("rsa", "both"), default=None,
                    help="sign the campaign (rsa: RSA-2048; both: RSA and Ed25519)")
    args = ap.parse_args()
    n = args.recipients
    proc, port = start_server()
    base = Path(tempfile.mkdtemp(prefix="send-bench-"))
    key = dkim_key(base, args.dkim) if args.dkim else None
    try:
        data = signed_sample(base, key) if key else sample_message(workspace(base, 1, port))
        floors, ours, rss_n = [], [], 0
        for i in range(args.runs):
            floors.append(floor(port, n, data))
            ws = workspace(base, n, port, key)
            wall, rss_n = run(ws, "campaign", "send", SPEC)
            ours.append(wall)
            print(f"run {i + 1}: floor {floors[-1]:.2f} s, sitekeeper {wall:.2f} s", file=sys.stderr)
        f, s = statistics.median(floors), statistics.median(ours)
        signed = f", DKIM-signed ({args.dkim}; the floor sends the signed bytes unsigned)" if key else ""
        print(f"{n} recipients, message of {len(data)} bytes, aiosmtpd Sink on 127.0.0.1, median of {args.runs}{signed}")
        print(f"  floor (smtplib loop, pre-rendered): {f:7.2f} s  {n / f:7.0f} msg/s")
        print(f"  sitekeeper campaign send:           {s:7.2f} s  {n / s:7.0f} msg/s  (whole command, start-up included)")
        print(f"  ratio sitekeeper / floor:           {f / s:7.2f} x")
        print(f"  peak memory at {n}: {rss_n / 1024:.0f} MB")
        if args.big:
            ws = workspace(base, args.big, port, key)
            wall, rss_big = run(ws, "campaign", "send", SPEC)
            print(f"  peak memory at {args.big}: {rss_big / 1024:.0f} MB  ({args.big / wall:.0f} msg/s over {wall:.0f} s)")
            print(f"  memory ratio {args.big} / {n}: {rss_big / rss_n:.2f} x")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
