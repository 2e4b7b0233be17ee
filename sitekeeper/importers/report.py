"""The import report (``sites/<client>/import-report.txt``): what was left to do by hand,
the same thing said once with its count, then what to do next, in order.

Problems that differ only in what they name (a file, a URL, a title, a number) are one
entry: the count, the first in full, a few more examples, and every name they differ by, so
that 40 missing images are one entry listing the 40 paths. Every problem stays in the JSON
result and on the terminal as it was, one by one. The next steps come from what the report
holds (media to fetch first: the old site may not run for long), then looking at the site.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import Diagnostic

GROUP_AT = 3
"""Problems of one shape from which they are one entry."""
EXAMPLES = 3
"""Problems shown in full in an entry."""
NAMES_SHOWN = 60
"""Names an entry lists at most (then how many more)."""

# What makes two messages differ though they say the same thing: quoted names, URLs, paths, numbers.
_SLOT_RE = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|https?://[^\s,;)]+|[\w.~%-]*/[^\s,;:)]*|\b\d+(?:[.,]\d+)*\b")


def shape(text: str) -> str:
    """The message with what it names taken out ('… is not imported' for any file)."""
    return _SLOT_RE.sub("…", text)


def names(text: str) -> list[str]:
    """What a message names, in order."""
    return [m.group(0) for m in _SLOT_RE.finditer(text)]


def group(problems: Sequence[Diagnostic]) -> list[list[Diagnostic]]:
    """The problems in groups of one shape (severity, message and fix), in the order each
    shape first appears; a shape seen fewer than GROUP_AT times is a group per problem."""
    by_shape: dict[tuple[str, str, str], list[Diagnostic]] = {}
    for d in problems:
        by_shape.setdefault((d.severity, shape(d.message), shape(d.fix)), []).append(d)
    groups: list[list[Diagnostic]] = []
    for found in by_shape.values():
        if len(found) >= GROUP_AT:
            groups.append(found)
        else:
            groups.extend([d] for d in found)
    return groups


def entry(found: list[Diagnostic]) -> list[str]:
    """The report's lines for one group."""
    if len(found) == 1:
        return [str(found[0])]
    first = found[0]
    lines = [f"{len(found)} times: {first}"]
    lines += [f"    also {d.location()}: {d.message}" for d in found[1:EXAMPLES]]
    differ = _differing_names(found)
    if len(found) > EXAMPLES and differ:
        shown = differ[:NAMES_SHOWN]
        more = f" and {len(differ) - len(shown)} more" if len(differ) > len(shown) else ""
        lines.append(f"    all {len(differ)}: " + ", ".join(shown) + more)
    elif len(found) > EXAMPLES:
        lines.append(f"    and {len(found) - EXAMPLES} more (the JSON result and `check` list each)")
    return lines


def _differing_names(found: list[Diagnostic]) -> list[str]:
    """The name that tells the group's problems apart (the first slot whose value differs)."""
    slots = [names(d.message) for d in found]
    width = min(len(s) for s in slots)
    for i in range(width):
        values = list(dict.fromkeys(s[i] for s in slots))
        if len(values) > 1:
            return values
    return []


# (what a problem's message holds, the step it asks for); the order is the order to do them in
_STEPS: tuple[tuple[str, str], ...] = (
    ("the page shows it from the old site",
     "Take the media over while the old site still runs: move sites/{client} away and import again with "
     "--fetch-media (or --uploads PATH/TO/wp-content/uploads); the entries above name each file"),
    ("names no domain",
     "Set base_url in sites/{client}/site.toml to the site's real address"),
    ("neither a page nor a redirect",
     "Keep the old URLs listed above: add each to its page's `aliases`"),
    ("left in the text",
     "Replace the shortcodes and template tags left in content/ (each entry names the file and line; "
     "`sitekeeper check {client}` lists them until they are gone)"),
    ("allow_scripts",
     "Look at the scripts the old pages ran: remove those a static site does not need, then allow_scripts"),
    ("cannot run on a static site",
     "Replace the forms the old site had (a mailto: link or a form service)"),
    ("points at the old site",
     "Point the links that went to the old site at pages of the new one"),
    ("content/index.md was made",
     "Write the home page's text in sites/{client}/content/index.md"),
)


def next_steps(client: str, problems: Sequence[Diagnostic], zone_note: str) -> list[str]:
    """What to do now, in order: the steps the problems ask for, then the site looked at."""
    steps = [step.format(client=client) for needle, step in _STEPS
             if any(needle in d.message or needle in d.fix for d in problems)]
    if zone_note.startswith("timezone left at UTC"):
        steps.append(f"Set `timezone` in sites/{client}/site.toml (e.g. Europe/London)")
    if any(d.severity == "warning" for d in problems if not any(n in d.message for n, _ in _STEPS)):
        steps.append("Go through the other entries above (each says its fix)")
    steps += [f"Run `sitekeeper check {client}` and `sitekeeper serve {client}`, and look at every page",
              f"Add a [deploy.production] target to sites/{client}/site.toml, then "
              f"`sitekeeper publish {client} --dry-run` and `sitekeeper publish {client}`"]
    return [f"{n}. {step}" for n, step in enumerate(steps, 1)]


def report_text(kind: str, client: str, problems: Sequence[Diagnostic], zone_note: str = "") -> str:
    """The whole report: a heading, the timezone's note, the grouped problems, the next steps."""
    groups = group(problems)
    lines = [f"# What the import from {kind} left to do by hand ({len(problems)} items"
             + (f" in {len(groups)} entries)" if len(groups) != len(problems) else ")"), ""]
    if zone_note:
        lines += [zone_note, ""]
    for found in groups:
        lines += entry(found)
    if not groups:
        lines.append("nothing")
    lines += ["", "## Next steps", ""] + next_steps(client, problems, zone_note)
    return "\n".join(lines) + "\n"
