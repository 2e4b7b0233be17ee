"""`sitekeeper tick` across a promotion's life, driven by SITEKEEPER_NOW, in Europe/Berlin over
the change to summer time (2026-03-29 02:00 -> 03:00): before the start nothing, at the start
the banner goes live, at send_at the campaign goes out once, idle ticks contact no host, at
the end the banner and the promotion page are gone from the target.

Once with the embedded defaults (a folder target, the outbox, a local state store), once
against real servers: OpenSSH sshd for the site, an SMTP server, the state store on moto's S3.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml

from helpers import copy_workspace, json_lines, sk

PROMO = """---
title: Osteraktion
starts: 2026-03-28 08:00
ends: 2026-04-02
banner: "Ostern: 15 % auf alle Torten"
send_at: 2026-03-29 09:00
subject: "Ostern im Café"
preheader: "Nur bis 1. April"
audience: all
approved: false
---
## Ostern im Café

Alle Torten 15 % günstiger.
"""

BEFORE = "2026-03-27T12:00:00+01:00"
START = "2026-03-28T08:00:00+01:00"
SEND = "2026-03-29T09:00:00+02:00"      # summer time began at 02:00 that morning
END = "2026-04-02T00:05:00+02:00"


def workspace(tmp_path: Path) -> Path:
    ws = copy_workspace("mini", tmp_path)
    (ws / "campaigns/mini/osteraktion.md").write_text(PROMO, encoding="utf-8")
    approved = sk("campaign", "approve", "mini/osteraktion", "--by", "Frau Weber", cwd=ws, now=BEFORE)
    assert approved.returncode == 0, approved.stderr
    return ws


def tick(ws: Path, now: str, env: dict | None = None) -> dict:
    run = sk("tick", "--json", cwd=ws, now=now, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    return json_lines(run.stdout)[-1]


def mini(result: dict) -> dict:
    return next(c for c in result["clients"] if c["client"] == "mini")


def test_a_promotions_life_with_the_embedded_defaults(tmp_path):
    ws = workspace(tmp_path)
    site = ws / "public/mini"

    first = tick(ws, BEFORE)
    assert mini(first)["published"] and not mini(first)["sent"]
    assert "Ostern: 15" not in (site / "index.html").read_text(encoding="utf-8")
    assert tick(ws, "2026-03-27T12:15:00+01:00")["idle"] is True

    at_start = tick(ws, START)
    assert mini(at_start)["published"] and not mini(at_start)["sent"]
    assert "Ostern: 15" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "promotions/osteraktion/index.html").is_file()
    assert tick(ws, "2026-03-29T08:55:00+02:00")["idle"] is True

    sent = tick(ws, SEND)
    [campaign] = mini(sent)["sent"]
    assert campaign["campaign"] == "mini/osteraktion" and campaign["sent"] >= 1
    mails = sorted((ws / "outbox/mini/osteraktion").glob("*.eml"))
    assert len(mails) == campaign["sent"]
    for later in ("2026-03-29T09:15:00+02:00", "2026-03-31T12:00:00+02:00"):
        assert tick(ws, later)["idle"] is True
    assert sorted((ws / "outbox/mini/osteraktion").glob("*.eml")) == mails  # nobody got it twice

    end = tick(ws, END)
    assert mini(end)["published"]
    assert "Ostern: 15" not in (site / "index.html").read_text(encoding="utf-8")
    assert not (site / "promotions/osteraktion").exists()
    assert tick(ws, "2026-04-02T00:20:00+02:00")["idle"] is True


def test_a_second_tick_while_one_runs_says_who_holds_the_lock_and_exits_0(tmp_path):
    from sitekeeper.state import LocalStore
    from sitekeeper.state.lock import Lock

    ws = workspace(tmp_path)
    holder = Lock(LocalStore(ws / ".sitekeeper/state"), "locks/tick")
    holder.acquire()
    try:
        run = sk("tick", cwd=ws, now=BEFORE)
    finally:
        holder.release()
    assert run.returncode == 0 and "another tick is running" in run.stdout
    assert not (ws / "public").exists()


def test_dry_run_says_what_is_due_and_changes_nothing(tmp_path):
    ws = workspace(tmp_path)
    run = sk("tick", "--dry-run", "--json", cwd=ws, now=SEND)
    assert run.returncode == 0, run.stderr
    result = json_lines(run.stdout)[-1]
    assert mini(result)["published"] and mini(result)["sent"][0]["campaign"] == "mini/osteraktion"
    assert not (ws / "public").exists() and not (ws / "outbox").exists()


class _CountingHandler:
    def __init__(self):
        self.connections = 0
        self.messages = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def counting_smtp():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_the_same_life_against_sshd_smtp_and_a_state_store_on_s3(tmp_path, sshd_server, s3_server, aws_env,
                                                                  counting_smtp):
    import boto3

    smtp, port = counting_smtp
    bucket = f"state-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_server.endpoint).create_bucket(Bucket=bucket)
    ws = workspace(tmp_path)
    (ws / "sitekeeper.toml").write_text(f'state = "s3://{bucket}/sk"\nendpoint_url = "{s3_server.endpoint}"\n',
                                        encoding="utf-8")
    import shutil

    shutil.rmtree(ws / ".sitekeeper" / "state")  # the approval's record; from here on the state is on S3
    docroot = sshd_server.home / f"tick-{uuid.uuid4().hex[:8]}" / "www"
    docroot.parent.mkdir(parents=True)
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{port}"\ntls = "none"\n', 1)
        + f'\n[deploy.live]\nurl = "{sshd_server.url(str(docroot))}"\nkey_file = "{sshd_server.key_file}"\n'
          f'host_key = "{sshd_server.fingerprint}"\n', encoding="utf-8")

    def logins() -> int:
        return sshd_server.log.read_text(errors="replace").count("Accepted publickey")

    tick(ws, BEFORE, env=aws_env)
    assert (docroot / "index.html").is_file()
    ssh_before = logins()
    assert tick(ws, "2026-03-27T12:15:00+01:00", env=aws_env)["idle"] is True
    assert logins() == ssh_before and smtp.connections == 0

    tick(ws, START, env=aws_env)
    assert "Ostern: 15" in (docroot / "index.html").read_text(encoding="utf-8")

    sent = mini(tick(ws, SEND, env=aws_env))["sent"]
    assert sent and sent[0]["sent"] == len(smtp.messages) >= 1
    ssh_after, smtp_after = logins(), smtp.connections
    assert not (ws / ".sitekeeper" / "state").exists()  # everything went to S3
    for later in ("2026-03-29T09:15:00+02:00", "2026-03-30T10:00:00+02:00"):
        assert tick(ws, later, env=aws_env)["idle"] is True
    assert logins() == ssh_after and smtp.connections == smtp_after and len(smtp.messages) == sent[0]["sent"]

    # Two runners at once: the second finds the workspace lock on S3.
    from sitekeeper.state import open_store
    from sitekeeper.state.lock import Lock

    holder = Lock(open_store(f"s3://{bucket}/sk", ws, endpoint_url=s3_server.endpoint), "locks/tick")
    holder.acquire()
    try:
        busy = sk("tick", cwd=ws, now=END, env=aws_env)
    finally:
        holder.release()
    assert busy.returncode == 0 and "another tick is running" in busy.stdout

    tick(ws, END, env=aws_env)
    assert "Ostern: 15" not in (docroot / "index.html").read_text(encoding="utf-8")
    assert not (docroot / "promotions/osteraktion").exists()


def test_ci_init_writes_valid_workflows_whose_commands_run_here(tmp_path):
    import shlex
    import subprocess

    ws = workspace(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=ws, check=True)
    subprocess.run(["git", "-c", "user.email=a@b.example", "-c", "user.name=a", "add", "-A"], cwd=ws, check=True)
    subprocess.run(["git", "-c", "user.email=a@b.example", "-c", "user.name=a", "commit", "-qm", "a"], cwd=ws, check=True)
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[mail]\n", '[mail]\npassword_env = "MINI_SMTP_PASSWORD"\n'
                                                            'username_env = "MINI_SMTP_USER"\n'
                                                            'transport = "smtp://smtp.example:587"\n', 1),
                    encoding="utf-8")
    subprocess.run(["git", "-c", "user.email=a@b.example", "-c", "user.name=a", "commit", "-qam", "b"], cwd=ws, check=True)

    gh = sk("ci", "init", "github", "--json", cwd=ws)
    assert gh.returncode == 0, gh.stderr
    result = json_lines(gh.stdout)[-1]
    assert set(result["secrets"]) == {"MINI_SMTP_PASSWORD", "MINI_SMTP_USER"}
    assert any("state store is local" in n for n in result["notes"])
    flow = yaml.safe_load((ws / ".github/workflows/sitekeeper.yml").read_text(encoding="utf-8"))
    assert set(flow["jobs"]) == {"check", "publish", "tick"}
    assert flow[True]["schedule"] == [{"cron": "*/15 * * * *"}]   # YAML 1.1 reads `on` as true
    assert flow["jobs"]["publish"]["concurrency"]["group"] == flow["jobs"]["tick"]["concurrency"]["group"]
    assert flow["env"]["MINI_SMTP_PASSWORD"] == "${{ secrets.MINI_SMTP_PASSWORD }}"
    assert sk("ci", "init", "github", cwd=ws).returncode == 1          # never over an existing one
    assert sk("ci", "init", "github", "--force", cwd=ws).returncode == 0

    gl = sk("ci", "init", "gitlab", cwd=ws)
    assert gl.returncode == 0, gl.stderr
    lab = yaml.safe_load((ws / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert lab["publish"]["resource_group"] == lab["tick"]["resource_group"]

    # The commands of the jobs, run here against the workspace (GitHub's expressions filled in).
    commands = []
    for job in flow["jobs"].values():
        for step in job["steps"]:
            run = step.get("run", "")
            if "sitekeeper" in run and "pip install" not in run:
                commands.append(run.replace("${{ github.event.before }}", "HEAD~1"))
    assert len(commands) >= 5
    for command in commands:
        for line in command.strip().splitlines():
            if line.strip().startswith("sitekeeper "):
                args = shlex.split(line.strip())[1:]
                args = [a.replace("$before", "HEAD~1") for a in args]
                run = sk(*args, cwd=ws, now=BEFORE)
                assert run.returncode == 0, (line, run.stdout, run.stderr)
    assert json.loads(json.dumps(result))  # the result is plain JSON
