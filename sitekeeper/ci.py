"""`sitekeeper ci init github|gitlab`: a CI workflow for the workspace.

On a push to main: `check`, then `publish --changed-since` the previous commit. On a pull
request: `check` and `publish --all --dry-run`. On a schedule (every 15 minutes): `tick`.
Deploys and ticks share one concurrency group (GitHub) or resource group (GitLab), so two
never run at once. With ``--shards N`` the tick runs as a matrix of N jobs (GitHub
``strategy.matrix``, GitLab ``parallel:``), each ``tick --shard I/N`` in its own concurrency
group, over the S3 state store they share (refused while the state is local). Secrets are referenced by name only; the names each client's site.toml
needs are listed (environment variables it names, SSH deploy keys, AWS credentials).
"""
from __future__ import annotations

import re

from .config import load_site
from .fsutil import atomic_write
from .errors import Diagnostic, ProblemsError, SitekeeperError

FILES = {"github": ".github/workflows/sitekeeper.yml", "gitlab": ".gitlab-ci.yml"}


def _secret_name(*parts: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(parts).upper()).strip("_")


def needs(ws) -> tuple[dict[str, str], list[tuple[str, str]], list[str], bool]:
    """(secret name -> why, [(ssh key secret, key_file path)], notes, uses_aws) for the workspace."""
    secrets: dict[str, str] = {}
    keys: list[tuple[str, str]] = []
    notes: list[str] = []
    aws = False
    state = str(ws.settings.get("state", "") or "")
    if state.startswith("s3://"):
        aws = True
    for client in ws.clients():
        try:
            cfg = load_site(ws, client)
        except SitekeeperError:
            notes.append(f"{client}: site.toml has errors (see `sitekeeper check {client}`); its secrets are not listed")
            continue
        for target in cfg.deploy.values():
            if target.kind == "sftp":
                if target.key_file:
                    name = _secret_name("SSH_KEY", client, target.name)
                    secrets[name] = f"{client} [deploy.{target.name}]: the private key for key_file = {target.key_file}"
                    keys.append((name, target.key_file))
                if target.password_env:
                    secrets[target.password_env] = f"{client} [deploy.{target.name}]: password_env"
                if not target.host_keys and target.options.get("known_hosts") is None:
                    notes.append(f"{client} [deploy.{target.name}]: no host_key pinned; run `sitekeeper trust {client} "
                                 f"--target {target.name}` and commit site.toml, or the CI runner refuses the host")
            elif target.kind == "s3":
                aws = True
            elif target.password_env:
                secrets[target.password_env] = f"{client} [deploy.{target.name}]: password_env"
        mail = cfg.mail
        for key in ("username_env", "password_env", "imap_user_env", "imap_password_env"):
            env_name = getattr(mail, key, None)
            if env_name:
                secrets[env_name] = f"{client} [mail] {key}"
        if (mail.transport is not None and mail.transport.kind == "ses") or mail.ses_events_queue:
            aws = True
    if aws:
        secrets["AWS_ACCESS_KEY_ID"] = "S3 targets, SES or the S3 state store (or use OIDC and a role instead)"
        secrets["AWS_SECRET_ACCESS_KEY"] = "the same AWS credentials"
    if not state.startswith("s3://"):
        notes.append("the state store is local (sitekeeper.toml `state`): a fresh CI runner starts without the send "
                     "ledger, the publish records and the tick lock, so campaigns could go out twice across runs; set "
                     "state = \"s3://BUCKET/PREFIX\" in sitekeeper.toml before CI sends email")
    return secrets, keys, notes, aws


def _install(ws) -> str:
    pyproject = ws.root / "pyproject.toml"
    if pyproject.is_file() and 'name = "sitekeeper"' in pyproject.read_text(encoding="utf-8", errors="replace"):
        return "pip install ."  # the workspace is a checkout of sitekeeper itself
    from . import __version__

    return f'pip install "sitekeeper=={__version__}"'


GITLAB_MAX_PARALLEL = 200

BUILD_CACHE_PATHS = (".sitekeeper/cache", ".sitekeeper/build")
"""What CI keeps between runs: the build cache (its records, rendered bodies, the fonts cut to
their characters) and the output folders, which hold the WebP variants of the images (only the
local state is left out: locks and ledgers belong in the shared state store)."""
STATIC_FILES = "sites/*/static/**"
"""The clients' static files: the build cache's key (the variants are made of them)."""


def _cache_github(shard: str = "") -> str:
    """The actions/cache step of a job (``shard``: part of the key, so a matrix's runners keep
    the outputs of their own clients)."""
    prefix = f"sitekeeper-build-${{{{ runner.os }}}}-{shard}"
    return ("      - name: Build cache (image variants, fonts), keyed by the clients' static files\n"
            "        uses: actions/cache@v4\n"
            "        with:\n"
            "          path: |\n"
            + "".join(f"            {p}\n" for p in BUILD_CACHE_PATHS) +
            f"          key: {prefix}${{{{ hashFiles('{STATIC_FILES}') }}}}\n"
            "          restore-keys: |\n"
            f"            {prefix}\n")


def _cache_gitlab(indent: str, prefix: str = "sitekeeper-build") -> str:
    """The pip cache and the build cache (keyed by the clients' static files), as a `cache:` list."""
    paths = ", ".join(p + "/" for p in BUILD_CACHE_PATHS)
    return (f"{indent}cache:\n"
            f"{indent}  - key: pip\n"
            f"{indent}    paths: [.cache/pip]\n"
            f"{indent}  - key:\n"
            f"{indent}      prefix: {prefix}\n"
            f"{indent}      files: [\"{STATIC_FILES}/*\"]\n"
            f"{indent}    paths: [{paths}]\n")


def _tick_github(shards: int) -> str:
    if shards <= 1:
        return """    concurrency:
      group: sitekeeper-deploy
      cancel-in-progress: false
"""
    return f"""    strategy:
      fail-fast: false
      matrix:
        shard: [{", ".join(str(i) for i in range(1, shards + 1))}]
    concurrency:
      group: sitekeeper-tick-${{{{ matrix.shard }}}}-of-{shards}
      cancel-in-progress: false
"""


def check_shards(ws, kind: str, shards: int) -> None:
    """A matrix needs the shared S3 state store, and the CI's own limit on jobs."""
    from .shard import MAX_SHARDS

    limit = GITLAB_MAX_PARALLEL if kind == "gitlab" else MAX_SHARDS
    if not 1 <= shards <= limit:
        raise ProblemsError([Diagnostic("--shards", None, f"--shards {shards}: {kind} runs from 1 to {limit} jobs "
                                        "of one matrix", f"pass --shards between 1 and {limit}")])
    state = str(ws.settings.get("state", "") or "")
    if shards > 1 and not state.startswith("s3://"):
        raise ProblemsError([Diagnostic(
            "sitekeeper.toml", None, f"--shards {shards}: the state store is local, so each runner of the matrix "
            "would keep its own send ledger, publish records and locks (campaigns could go out twice); "
            "nothing was written", 'set state = "s3://BUCKET/PREFIX" in sitekeeper.toml, then run ci init again')])


def github(ws, shards: int = 1) -> tuple[str, dict, list[str]]:
    secrets, keys, notes, _ = needs(ws)
    env = "".join(f"  {n}: ${{{{ secrets.{n} }}}}\n" for n in sorted(secrets) if not n.startswith("SSH_KEY_"))
    key_steps = "".join(
        f"      - name: Deploy key for {path}\n"
        f"        run: |\n"
        f"          install -d -m 700 \"$(dirname {path})\"\n"
        f"          printf '%s\\n' \"$KEY\" > {path}\n"
        f"          chmod 600 {path}\n"
        f"        env:\n"
        f"          KEY: ${{{{ secrets.{name} }}}}\n"
        for name, path in keys)
    setup = (
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          fetch-depth: 0\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        "          python-version: \"3.12\"\n"
        "          cache: pip\n"
        "          cache-dependency-path: \"**/pyproject.toml\"\n"
        f"      - run: {_install(ws)}\n"
    )
    tick_setup = setup + _cache_github(f"shard-${{{{ matrix.shard }}}}-of-{shards}-" if shards > 1 else "")
    setup += _cache_github()
    text = f"""# Written by `sitekeeper ci init github`. Secrets are referenced by name; set their values in
# the repository's Settings > Secrets and variables > Actions.
name: sitekeeper
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "*/15 * * * *"
  workflow_dispatch:
permissions:
  contents: read
env:
  NO_COLOR: "1"
{env}jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
{setup}      - run: sitekeeper check
      - run: sitekeeper publish --all --dry-run
  publish:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    concurrency:
      group: sitekeeper-deploy
      cancel-in-progress: false
    steps:
{setup}{key_steps}      - run: sitekeeper check
      - name: Publish the clients this push changed
        run: |
          before="${{{{ github.event.before }}}}"
          if [ -z "$before" ] || ! git cat-file -e "$before^{{commit}}" 2>/dev/null; then before=HEAD~1; fi
          sitekeeper publish --changed-since "$before" --yes
  tick:
    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
{_tick_github(shards)}    steps:
{tick_setup}{key_steps}      - run: sitekeeper tick{f" --shard ${{{{ matrix.shard }}}}/{shards}" if shards > 1 else ""}
"""
    return text, secrets, notes


def gitlab(ws, shards: int = 1) -> tuple[str, dict, list[str]]:
    secrets, keys, notes, _ = needs(ws)
    key_lines = "".join(
        f"    - install -d -m 700 \"$(dirname {path})\"\n"
        f"    - cp \"${name}\" {path} && chmod 600 {path}\n" for name, path in keys)
    tick_lines = ("  resource_group: sitekeeper-deploy\n  script:\n    - sitekeeper tick\n" if shards <= 1 else
                  f"  parallel: {shards}\n  resource_group: sitekeeper-tick-$CI_NODE_INDEX-of-{shards}\n"
                  + _cache_gitlab("  ", f"sitekeeper-build-$CI_NODE_INDEX-of-{shards}") +
                  "  script:\n    - sitekeeper tick --shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\"\n")
    text = f"""# Written by `sitekeeper ci init gitlab`. Secrets are CI/CD variables referenced by name
# (Settings > CI/CD > Variables; deploy keys as variables of type File). Create a pipeline
# schedule (Build > Pipeline schedules) every 15 minutes: it runs `sitekeeper tick`.
image: python:3.12
variables:
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"
  GIT_DEPTH: "0"
  NO_COLOR: "1"
{_cache_gitlab("")}default:
  before_script:
    - {_install(ws)}
{key_lines}
check:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - sitekeeper check
    - sitekeeper publish --all --dry-run

publish:
  rules:
    - if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"
  resource_group: sitekeeper-deploy
  script:
    - sitekeeper check
    - before="$CI_COMMIT_BEFORE_SHA"; git cat-file -e "$before^{{commit}}" 2>/dev/null || before=HEAD~1; sitekeeper publish --changed-since "$before" --yes

tick:
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
{tick_lines}"""
    return text, secrets, notes


def write_workflow(ws, kind: str, *, force: bool = False, reporter=None, shards: int = 1) -> dict:
    check_shards(ws, kind, shards)
    rel = FILES[kind]
    path = ws.root / rel
    if path.exists() and not force:
        raise ProblemsError([Diagnostic(rel, None, f"{rel} exists already; nothing was written",
                                        "compare it with what `sitekeeper ci init " + kind + " --force` would "
                                        "write, or pass --force to replace it")])
    text, secrets, notes = (github if kind == "github" else gitlab)(ws, shards)
    atomic_write(path, text.encode("utf-8"))
    return {"file": rel, "kind": kind, "shards": shards, "secrets": secrets, "notes": notes}
