"""The README's first command on a clean clone, with a Python that refuses `pip install` (PEP 668).

Debian 12 and Ubuntu 24.04 mark their python3 as externally managed; set-up must install into
a virtual environment and still leave a working `sitekeeper` on the PATH the user already has.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _externally_managed_python() -> str | None:
    """A python3 whose standard library folder holds the EXTERNALLY-MANAGED marker."""
    for candidate in ("/usr/bin/python3",):
        if not os.access(candidate, os.X_OK):
            continue
        out = subprocess.run([candidate, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                             capture_output=True, text=True)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "EXTERNALLY-MANAGED").is_file():
            return candidate
    return None


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs a git checkout to clone")
def test_readme_first_command_works_with_an_externally_managed_python(tmp_path):
    python = _externally_managed_python()
    if python is None:
        pytest.skip("no externally-managed python3 (Debian/Ubuntu's /usr/bin/python3) on this machine")
    # The marker really refuses a plain pip install: the situation set-up must get around.
    refused = subprocess.run([python, "-m", "pip", "install", "--dry-run", "six"], capture_output=True, text=True)
    assert refused.returncode != 0 and "externally-managed" in (refused.stdout + refused.stderr)

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {
        "HOME": str(tmp_path / "home"),
        # The distribution's python first, as on a stock machine; the link goes to a folder on it.
        "PATH": f"{bin_dir}:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
        "SITEKEEPER_BIN_DIR": str(bin_dir),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        "LANG": "C.UTF-8",
    }
    # The machine's package-index settings (a mirror, a certificate) apply to set-up too.
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_") or k == "SSL_CERT_FILE"})
    readme = (clone / "README.md").read_text(encoding="utf-8")
    command = "bash scripts/setup.sh && sitekeeper publish --all --yes"
    assert command in readme
    run = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (bin_dir / "sitekeeper").resolve() == (clone / ".venv" / "bin" / "sitekeeper").resolve()
    # public/ holds each client's site, and beside it (never inside) what sitekeeper keeps for it.
    published = sorted(p.name for p in (clone / "public").iterdir() if not p.name.startswith(".sitekeeper"))
    clients = sorted(p.parent.name for p in (clone / "sites").glob("*/site.toml"))
    assert published == clients
    for client in clients:
        assert (clone / "public" / client / "index.html").is_file()
        served = [p.relative_to(clone / "public" / client) for p in (clone / "public" / client).rglob("*")]
        assert not [p for p in served if p.parts[0].startswith(".sitekeeper") or p.parts[0] == "tmp"], served
        assert (clone / "public" / f".sitekeeper-{client}").is_dir()
    # A new user's first publish of the shipped demo warns about nothing.
    assert "warning" not in run.stderr, run.stderr[-3000:]

    # A `sitekeeper` that belongs to another checkout is left as it is, and set-up says so.
    other = tmp_path / "other" / ".venv" / "bin" / "sitekeeper"
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\necho other\n")
    other.chmod(0o755)
    (bin_dir / "sitekeeper").unlink()
    (bin_dir / "sitekeeper").symlink_to(other)
    again = subprocess.run(["bash", "scripts/setup.sh", "--no-browser"], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert (bin_dir / "sitekeeper").resolve() == other.resolve()
    assert f"already leads to {other}" in again.stderr and "--relink" in again.stderr
    # Asked to, it takes the link over.
    relinked = subprocess.run(["bash", "scripts/setup.sh", "--no-browser", "--relink"], cwd=clone, env=env,
                              capture_output=True, text=True, timeout=900)
    assert relinked.returncode == 0, relinked.stderr[-3000:]
    assert (bin_dir / "sitekeeper").resolve() == (clone / ".venv" / "bin" / "sitekeeper").resolve()
    assert "re-pointing" in relinked.stderr
    shutil.rmtree(clone / ".venv")
