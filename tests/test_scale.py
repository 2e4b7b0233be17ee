"""Many clients: loading one client never lists the others (an idle tick at 500 clients once
stated every client once per client)."""
from __future__ import annotations

import shutil
import sys

import pytest

from helpers import copy_workspace
from sitekeeper.config import find_workspace, load_site
from sitekeeper.errors import UnknownClientError

_seen: list[str] = []
_on = [False]


def _hook(event, args):
    if _on[0] and event in ("os.listdir", "os.scandir"):
        _seen.append(str(args[0]))


sys.addaudithook(_hook)


def test_loading_a_client_does_not_list_the_sites_folder(tmp_path):
    ws_root = copy_workspace("mini", tmp_path)
    for i in range(3):
        shutil.copytree(ws_root / "sites/mini", ws_root / f"sites/other-{i}")
    ws = find_workspace(ws_root)
    _seen.clear()
    _on[0] = True
    try:
        cfg = load_site(ws, "mini")
    finally:
        _on[0] = False
    assert cfg.client == "mini"
    assert str(ws.sites_dir) not in _seen
    with pytest.raises(UnknownClientError) as err:
        ws.require_client("mni")
    assert "mini" in str(err.value)  # the unknown name still gets the listing and a suggestion
