"""The client's approval: recorded in the promotion's front matter, voided by any edit.

``campaign approve`` writes ``approved: true``, ``approved_by``, ``approved_at`` (ISO 8601
in the site's timezone) and ``approved_hash``: a hash of what the client saw, i.e. the
subject, preheader, title, banner and body of every language file. When the files no
longer hash to it, the approval is void: sends treat the promotion as not approved, and
`check` says so (a warning while the campaign is not due yet, an error once it is).
An ``approved: true`` written by hand without a hash is not an approval: `campaign approve` records one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..content.frontmatter import FrontMatterError, replace_keys
from ..errors import Diagnostic, ProblemsError


def content_hash(promo) -> str:
    return promo.approval_hash()


@dataclass(frozen=True)
class Approval:
    state: str
    """"approved", "void" or "not approved"."""
    by: str = ""
    """Who approved."""
    at: str = ""
    """When."""

    @property
    def ok(self) -> bool:
        return self.state == "approved"

    def label(self) -> str:
        if self.state == "approved":
            return f"approved by {self.by}" if self.by else "approved"
        if self.state == "void":
            return "void (edited after approval)"
        if self.state == "unrecorded":
            return "not approved (approved: true typed by hand)"
        return "not approved"


def approval(promo) -> Approval:
    state = promo.approval_state()
    if state == "not approved":
        return Approval(state)
    return Approval(state, promo.approved_by, promo.approved_at)


def void_diagnostic(promo, severity: str) -> Diagnostic:
    a = approval(promo)
    who = f" by {a.by}" if a.by else ""
    when = f" on {a.at[:10]}" if a.at else ""
    return Diagnostic(promo.source, promo.default.line_of("approved"),
                      f"approval is void: the content changed after approval{who}{when}; ask for approval again",
                      f"send the client a new preview, then run `sitekeeper campaign approve {promo.client}/{promo.slug} --by NAME`",
                      severity)


def unrecorded_diagnostic(promo, severity: str) -> Diagnostic:
    return Diagnostic(promo.source, promo.default.line_of("approved"),
                      "`approved: true` was written by hand, without `approved_hash`: it is not an approval, "
                      "and nothing will be sent",
                      f"after the client has seen the preview, run `sitekeeper campaign approve "
                      f"{promo.client}/{promo.slug} --by NAME` (it records who, when and what was approved)", severity)


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def approved_text(text: str, promo, by: str, when) -> str:
    """The default-language file's text with the approval recorded (pure)."""
    updates = {
        "approved": "true",
        "approved_by": _yaml_str(by),
        "approved_at": _yaml_str(when.isoformat(timespec="seconds")),
        "approved_hash": _yaml_str(content_hash(promo)),
    }
    try:
        return replace_keys(text, updates)
    except FrontMatterError as exc:
        raise ProblemsError([Diagnostic(promo.source, exc.line, exc.message, exc.fix)]) from exc
