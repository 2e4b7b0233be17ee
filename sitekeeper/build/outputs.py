"""The write pass: outputs whose fingerprint and file are unchanged are skipped unrendered;
the rest are rendered (pages in forked workers when many) and handed to the Writer."""
from __future__ import annotations

import os
from pathlib import Path

from ..config import Workspace
from ..errors import Diagnostic, Problems
from .cache import BuildCache, OutputRecord
from .pages import Renderer
from .parallel import Parallel
from .plan import Output, PageJob, SitePlan
from .writer import Writer


def _template_problem(exc: Exception, out: Output, ws: Workspace) -> Diagnostic:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    where = ws.rel(name) if name else "template"
    return Diagnostic(where, line, f"rendering {out.source or out.path} failed: {type(exc).__name__}: {exc}",
                      "fix the template (a name the page context lacks, or a syntax error)")


def _render_chunk(work, indices):
    """In a worker: render and write a run of pages; (path, sha, size, written, error) each,
    and the bodies rendered because the store lacked them."""
    renderer, writer, outs = work
    done = []
    for i in indices:
        out = outs[i]
        try:
            data = renderer.render(out.job)
        except Exception as exc:  # reported by the parent
            done.append((out.path, None, None, False, repr(exc)))
            continue
        sha, written = writer.write(out.path, data)
        done.append((out.path, sha, len(data), written, None))
    # The renderer lives on in this worker for its next chunk: send back only what this one filled.
    filled, renderer.filled = renderer.filled, {}
    return done, filled


def _parallel_render(renderer: Renderer, writer: Writer, heavy: list[Output], parallel: Parallel,
                     problems: Problems) -> dict[str, tuple]:
    """Render and write pages in forked workers; returns path -> (sha, size, written)."""
    # Compile the templates once, before forking, instead of once per worker.
    for name in {o.job.template for o in heavy if isinstance(o.job, PageJob)}:  # heavy: pages
        renderer.env.get_template(name)
    # Contiguous runs of outputs (sorted by path): each worker writes into its own folders.
    ordered = sorted(heavy, key=lambda o: o.path)
    n = len(ordered)
    size = max(1, -(-n // (parallel.workers * 4)))
    # Only indices travel to the workers: the outputs are there by fork.
    chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]
    sources = {o.path: o for o in heavy}
    results = {}
    for done, filled in parallel.map(_render_chunk, (renderer, writer, ordered), chunks):
        for path, sha, size, written, err in done:
            if err is not None:
                out = sources[path]
                problems.error(out.source or out.path, None, f"rendering failed: {err}", "fix the template or the page")
                continue
            writer.claim(path)
            results[path] = (sha, size, written)
        for key, html in filled.items():
            if key not in renderer.html:
                renderer.html[key] = html
    return results


def write_outputs(ws: Workspace, plan: SitePlan, cache: BuildCache, out_dir: Path,
                  parallel: Parallel) -> tuple[list[str], int, list[str]]:
    """(written paths, unchanged count, deleted paths); the cache's outputs updated."""
    outputs = plan.outputs
    todo: list[Output] = []
    unchanged = 0
    root = str(out_dir) + os.sep
    for path, out in outputs.items():
        prev = cache.outputs.get(path)
        if prev is not None and prev.fingerprint == out.fingerprint:
            try:
                if os.stat(root + path).st_size == prev.size:
                    unchanged += 1
                    continue
            except FileNotFoundError:
                pass
        todo.append(out)

    writer = Writer(out_dir, {path: rec.sha for path, rec in cache.outputs.items()})
    written: list[str] = []
    if todo:
        cache.dirty = True
        problems = Problems()
        renderer = Renderer(plan, cache.get_html(), cache.path / "jinja", ws.cache_dir / "fonts")
        heavy = [o for o in todo if isinstance(o.job, PageJob)]
        results: dict[str, tuple] = {}
        if parallel.worth_it(len(heavy)):
            results.update(_parallel_render(renderer, writer, heavy, parallel, problems))
            todo = [o for o in todo if not isinstance(o.job, PageJob)]
        # Render everything else first, then write: a template error leaves the rest as it was.
        rendered: list[tuple[Output, bytes]] = []
        for out in todo:
            try:
                rendered.append((out, renderer.render(out.job)))
            except Exception as exc:
                problems.items.append(_template_problem(exc, out, ws))
        problems.raise_if_errors()
        for path, (sha, size, was) in results.items():
            cache.outputs[path] = OutputRecord(outputs[path].fingerprint, sha, size)
            if was:
                written.append(path)
            else:
                unchanged += 1
        for out, data in rendered:
            sha, was = writer.write(out.path, data)
            if was:
                written.append(out.path)
            else:
                unchanged += 1
            cache.outputs[out.path] = OutputRecord(out.fingerprint, sha, len(data))

    deleted = writer.prune(outputs)
    for path in [p for p in cache.outputs if p not in outputs]:
        del cache.outputs[path]
    if written or deleted:
        cache.dirty = True
    return sorted(written), unchanged, deleted
