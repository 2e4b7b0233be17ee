"""Building a client's site: content -> outputs, incrementally.

sources (read, parse; memoised in cache) -> plan (pure: what the site shows at an instant)
-> links (checked against the plan) -> pages/feeds (rendered, in parallel when many) ->
writer (every output file). A no-op rebuild reads one small record and stats the inputs:
no YAML, Markdown or Jinja2 is imported. The cache lives under the workspace's
``.sitekeeper/cache/build/``, one folder per output folder, never in the output folder
itself (that is what gets served, and the cache holds draft text).
"""
from .plan import Output, SitePlan
from .run import (BuildResult, Checked, build_client, check_site, default_out, inputs_signature, load_site_content,
                  next_change, site_outputs)
from .sources import SiteContent

__all__ = ["BuildResult", "Checked", "Output", "SiteContent", "SitePlan", "build_client", "check_site", "default_out",
           "inputs_signature", "load_site_content", "next_change", "site_outputs"]
