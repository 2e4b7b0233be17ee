"""The package's layers, as drawn in sitekeeper/__init__.py, hold in the code.

Every import (module-level or inside a function) is read with `ast`. No module may import
one of a higher layer, deploy and mail (the two wings) never import each other, and there is
no import cycle between modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "sitekeeper"

# Lowest first; a module belongs to the longest prefix listed.
LAYERS = {
    "sitekeeper": 0, "sitekeeper.errors": 0, "sitekeeper.clock": 0, "sitekeeper.report": 0, "sitekeeper.fsutil": 0, "sitekeeper.shard": 0,
    "sitekeeper.jobs": 0, "sitekeeper.network": 0, "sitekeeper.settings": 0, "sitekeeper.failure": 0, "sitekeeper.live": 5,
    "sitekeeper.config": 1, "sitekeeper.locale": 1,
    "sitekeeper.content": 2, "sitekeeper.render": 2, "sitekeeper.aws": 2,
    "sitekeeper.build": 3, "sitekeeper.state": 3,
    "sitekeeper.deploy": 4, "sitekeeper.mail": 4, "sitekeeper.suppressions": 4, "sitekeeper.approvals": 4, "sitekeeper.importers": 4,
    "sitekeeper.check": 5, "sitekeeper.publish": 5, "sitekeeper.serve": 5, "sitekeeper.schedule": 5, "sitekeeper.status": 5,
    "sitekeeper.reports": 5, "sitekeeper.scaffold": 5, "sitekeeper.ci": 5, "sitekeeper.agenda": 5,
    "sitekeeper.previews": 5,
    "sitekeeper.cli": 6, "sitekeeper.entry": 6, "sitekeeper.__main__": 6,
}
WINGS = ("sitekeeper.deploy", "sitekeeper.mail")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    base = name if _is_package(name) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "sitekeeper")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                target = f"{anchor}.{node.module}" if node.module else anchor
            elif node.module and node.module.split(".")[0] == "sitekeeper":
                target = node.module
            else:
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
            if subs:
                found.update(subs)
            if len(subs) < len(node.names):
                found.add(target)
    # The version string of the root package is the one import any module may make.
    return {m for m in found if m in MODULES and m != name and m != "sitekeeper"}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(name: str) -> int:
    best = max((p for p in LAYERS if name == p or (p != "sitekeeper" and name.startswith(p + "."))),
               key=len, default=None)
    if best is None:
        pytest.fail(f"{name} is in no layer: add it to LAYERS here and to the drawing in sitekeeper/__init__.py")
    return LAYERS[best]


def test_every_module_is_in_a_layer():
    for name in MODULES:
        layer_of(name)


def test_no_module_imports_a_higher_layer():
    upward = sorted(
        f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
        for a, targets in GRAPH.items() for b in targets
        if layer_of(b) > layer_of(a)
        # A package's face may name what lies inside it.
        and not b.startswith(a + ".")
    )
    assert upward == []


def test_deploy_and_mail_do_not_import_each_other():
    crossing = sorted(
        f"{a} imports {b}" for a, targets in GRAPH.items() for b in targets
        for wing, other in (WINGS, WINGS[::-1])
        if (a == wing or a.startswith(wing + ".")) and (b == other or b.startswith(other + "."))
    )
    assert crossing == []


def test_no_import_cycles():
    # Tarjan's strongly connected components over the module graph.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert cycles == []


def _drawn_layers() -> dict[str, int]:
    """The drawing in sitekeeper/__init__.py's docstring: its layer column (5th character), its
    modules (columns 8 to 43; a trailing / marks a package) -> {module: layer}."""
    import sitekeeper

    drawn: dict[str, int] = {}
    layer = None
    for line in (sitekeeper.__doc__ or "").splitlines():
        if len(line) < 8 or not line.startswith("    ") or line[5:7] != "  ":
            continue
        if line[4].isdigit():
            layer = int(line[4])
        elif line[4] != " " or layer is None:
            continue
        for name in line[7:43].split():
            drawn[f"sitekeeper.{name.rstrip('/')}"] = layer
    return drawn


def test_the_drawing_in_the_package_docstring_is_these_layers():
    drawn = _drawn_layers()
    assert drawn, "no drawing found in sitekeeper/__init__.py"
    listed = {name: layer for name, layer in LAYERS.items() if name != "sitekeeper"}
    assert {n: drawn[n] for n in sorted(drawn) if listed.get(n) != drawn[n]} == {}
    assert sorted(set(listed) - set(drawn)) == []


def test_every_top_level_module_and_package_is_drawn():
    drawn = _drawn_layers()
    names = {f"sitekeeper.{p.stem if p.suffix == '.py' else p.name}" for p in PKG.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").is_file())}
    assert sorted(names - set(drawn)) == []
