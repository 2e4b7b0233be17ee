"""`--jobs N` on publish --all and tick: clients in forked workers, each client's lines kept
together and in the clients' order, the same JSON as one job, the worst exit code, one broken
client never stopping the others, and the locks (the target's, the tick's) still holding."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from test_tick import PROMO, SEND

from helpers import copy_workspace, json_lines, sk

CLIENTS = [f"laden-{i}" for i in range(5)]
APPROVE_AT = "2026-03-27T12:00:00+01:00"


def many(root: Path, broken: str = "") -> Path:
    """Five copies of the mini client (each with its own folder target); ``broken`` gets a page
    whose front matter does not parse."""
    ws = copy_workspace("mini", root)
    for name in CLIENTS:
        shutil.copytree(ws / "sites/mini", ws / "sites" / name)
        shutil.copytree(ws / "campaigns/mini", ws / "campaigns" / name)
        (ws / "campaigns" / name / "osteraktion.md").write_text(PROMO, encoding="utf-8")
        toml = ws / "sites" / name / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy.live]\nurl = "dir:{ws}/docroots/{name}"\n',
                        encoding="utf-8")
    shutil.rmtree(ws / "sites/mini")
    shutil.rmtree(ws / "campaigns/mini")
    if broken:
        (ws / "sites" / broken / "content" / "kaputt.md").write_text("---\ntitle: [unclosed\n---\nText\n",
                                                                     encoding="utf-8")
    return ws


def approve_all(ws: Path) -> None:
    for name in CLIENTS:
        r = sk("campaign", "approve", f"{name}/osteraktion", "--by", "Frau Weber", cwd=ws, now=APPROVE_AT)
        assert r.returncode == 0, r.stderr


def sent(ws: Path, client: str) -> int:
    return len(list((ws / "outbox" / client).rglob("*.eml")))


def comparable(stdout: str, ws: Path) -> list[dict]:
    """The JSON lines with the workspace's folder and each deploy's release id (its time) left out."""
    return [{k: v for k, v in line.items() if k != "release"} for line in json_lines(stdout.replace(str(ws), "WS"))]


def test_publish_all_with_three_jobs_says_and_does_what_one_job_does(tmp_path):
    one, three = many(tmp_path / "one", broken="laden-2"), many(tmp_path / "three", broken="laden-2")
    r1 = sk("publish", "--all", "--yes", "--jobs", "1", "--json", cwd=one, now=SEND)
    r3 = sk("publish", "--all", "--yes", "--jobs", "3", "--json", cwd=three, now=SEND)
    assert r1.returncode == r3.returncode == 1, r3.stdout + r3.stderr
    assert comparable(r3.stdout, three) == comparable(r1.stdout, one)  # every event and result, in order
    result = json_lines(r3.stdout)[-1]
    assert result["ok"] is False and result["failed"] == ["laden-2"]
    assert any("kaputt.md" in p["path"] for p in result["problems"])
    for name in CLIENTS:
        assert (three / "docroots" / name / "index.html").is_file() == (name != "laden-2")


def test_each_clients_lines_come_together_in_the_clients_order(tmp_path):
    ws = many(tmp_path, broken="laden-3")
    r = sk("publish", "--all", "--yes", "--jobs", "2", cwd=ws, now=SEND)
    assert r.returncode == 1
    out = r.stdout.splitlines()
    said = [line.split(" -> ")[0] for line in out if " -> " in line]
    assert said == [c for c in CLIENTS if c != "laden-3"]
    assert "1 of 5 clients not published: laden-3" in r.stdout
    assert "kaputt.md" in r.stderr and "Traceback" not in r.stderr


def test_tick_with_jobs_publishes_and_sends_each_client_once_and_then_is_idle(tmp_path):
    ws = many(tmp_path)
    approve_all(ws)
    r = sk("tick", "--jobs", "2", "--json", cwd=ws, now=SEND)
    assert r.returncode == 0, r.stdout + r.stderr
    result = json_lines(r.stdout)[-1]
    assert [c["client"] for c in result["clients"]] == CLIENTS
    assert all(c["published"] and c["ok"] for c in result["clients"])
    for name in CLIENTS:
        assert (ws / "docroots" / name / "index.html").is_file()
        assert sent(ws, name) == 2
    again = sk("tick", "--jobs", "2", "--json", cwd=ws, now=SEND)
    assert json_lines(again.stdout)[-1]["idle"] is True
    assert all(sent(ws, name) == 2 for name in CLIENTS)


def test_two_parallel_ticks_at_once_still_publish_and_send_once(tmp_path):
    ws = many(tmp_path)
    approve_all(ws)
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    env["SITEKEEPER_NOW"] = SEND
    runs = [subprocess.Popen([sys.executable, "-m", "sitekeeper", "tick", "--jobs", "3", "--json"], cwd=ws, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outs
    results = [json_lines(out)[-1] for out, _ in outs]
    published = [c["client"] for res in results for c in res["clients"] if c["published"]]
    assert sorted(published) == CLIENTS  # the second run waited its turn or found the lock held
    for name in CLIENTS:
        assert sent(ws, name) == 2


def test_jobs_below_one_is_a_usage_error(tmp_path):
    ws = many(tmp_path)
    for args in (("publish", "--all", "--jobs", "0"), ("tick", "--jobs", "-1")):
        r = sk(*args, cwd=ws)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "--jobs" in r.stderr and "Traceback" not in r.stderr
    assert not (ws / "docroots").exists()


def test_a_client_another_run_works_on_is_waited_for_and_then_published(tmp_path):
    import fcntl
    import queue
    import threading

    ws = many(tmp_path)
    locks = ws / ".sitekeeper" / "locks"
    locks.mkdir(parents=True)
    held = open(locks / "laden-0.lock", "w")
    fcntl.flock(held, fcntl.LOCK_EX)  # this test is the other run
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    env["SITEKEEPER_NOW"] = SEND
    proc = subprocess.Popen([sys.executable, "-m", "sitekeeper", "publish", "laden-0", "--yes"], cwd=ws, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    try:
        said = ""
        while "waiting for another" not in said:  # the lines before it, if any, are progress
            said = lines.get(timeout=120)
        assert said.startswith("laden-0: waiting for another sitekeeper run that works on this client")
        assert proc.poll() is None and not (ws / "docroots" / "laden-0").exists()
    finally:
        held.close()  # the other run ends
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert (ws / "docroots" / "laden-0" / "index.html").is_file()


def test_on_a_terminal_a_status_line_counts_the_clients_done_names_the_ones_at_work_and_is_cleared(tmp_path):
    import fcntl
    import pty

    ws = many(tmp_path)
    locks = ws / ".sitekeeper" / "locks"
    locks.mkdir(parents=True)
    held = open(locks / f"{CLIENTS[-1]}.lock", "w")
    fcntl.flock(held, fcntl.LOCK_EX)  # the last client waits for this test, as for another run
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    env["SITEKEEPER_NOW"] = SEND
    proc = subprocess.Popen([sys.executable, "-m", "sitekeeper", "publish", "--all", "--yes", "--jobs", "2"], cwd=ws,
                            env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    got: list[bytes] = []

    def drain() -> None:  # read as it comes, so a full terminal buffer never blocks the run
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end is closed
                return
            if not chunk:
                return
            got.append(chunk)

    import threading

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while f"now: {CLIENTS[-1]} " not in b"".join(got).decode(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    held.close()
    out, _ = proc.communicate(timeout=300)
    reader.join(30)
    os.close(master)
    seen = b"".join(got)
    assert proc.returncode == 0, out + seen.decode()
    shown = seen.decode()
    assert "0 of 5 clients done" in shown and "clients done" in shown.rsplit("\r\x1b[2K", 1)[0]
    # while a client is worked on, the line names it and how long it has taken
    now = [part.split("; now: ", 1)[1] for part in shown.split("\r\x1b[2K") if "; now: " in part]
    assert any(entry.startswith(f"{CLIENTS[-1]} ") for entry in now), shown
    assert all(name.rsplit(" ", 2)[0] in CLIENTS and name.endswith(" s") for entry in now for name in entry.split(", ")), now
    assert shown.endswith("\r\x1b[2K")  # nothing of it is left on the screen
    assert [line.split(" -> ")[0] for line in out.splitlines() if " -> " in line] == CLIENTS
