"""When a publish may take the target's manifest as its listing, and how that is checked.

A full listing of an SFTP or FTPS docroot costs a request per folder (FTP: three commands
and a data connection per folder), which is most of a publish when little or nothing
changed. The manifest already says what the target holds: every entry was written by a
publish with the size and stamp (mtime) the server reported right after the upload. So a
publish trusts it in place of the listing when all of these hold:

- the remote can look at single files (``stat_files``) and every manifest entry has a stamp
  (FTP servers without MLST give none: those are always listed);
- the target was fully listed within ``verify_hours`` (a target option, default 24; 0 lists
  on every publish), recorded in ``verified.json`` beside the manifest after a full listing;
- no lock is there: a publish that was killed halfway leaves its lock behind, and files it
  renamed into place that no journal records yet, so the one after it lists in full;
- a sample of the files (``SAMPLE`` chosen at random each time, the home page always among
  them) is at the target with the size and stamp the manifest records.

Any doubt (a sampled file missing or changed, an unreadable record, a clock gone backwards)
and the publish lists the whole target as before, so a file changed or removed by hand is
re-sent at the latest ``verify_hours`` later, and usually at once. A file added by hand
(not in the manifest) is seen, and deleted, at the next full listing.
"""
from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Mapping

from ..errors import SitekeeperError
from .plan import ManifestEntry, RemoteEntry

from .target_state import LOCK_KEY, VERIFIED_KEY

if TYPE_CHECKING:
    from ..config.deploy import Target
    from .target_state import TargetState

SAMPLE = 8
"""Files looked at one by one before the manifest is trusted."""
DEFAULT_VERIFY_HOURS = 24
FUTURE_SLACK = 300.0
"""A record this far in the future means a clock moved: list in full."""


def verify_hours(target: Target) -> int:
    value = target.options.get("verify_hours", DEFAULT_VERIFY_HOURS)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else DEFAULT_VERIFY_HOURS


def read_verified(state: TargetState) -> float | None:
    """When the target was last listed in full (epoch seconds), or None."""
    blob = state.read_verified()
    if blob is None:
        return None
    try:
        at = json.loads(blob.decode("utf-8")).get("listed_at")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    return float(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else None


def record_verified(state: TargetState, when: float) -> None:
    state.write_verified(json.dumps({"version": 1, "listed_at": round(when, 3)}).encode("utf-8"))


def sample_of(manifest: Mapping[str, ManifestEntry], k: int = SAMPLE, rng: random.Random | None = None) -> list[str]:
    paths = sorted(manifest)
    chosen = (rng or random.SystemRandom()).sample(paths, min(k, len(paths)))
    if "index.html" in manifest and "index.html" not in chosen:
        chosen.append("index.html")
    return sorted(chosen)


def can_trust(remote: object, target: Target) -> bool:
    """Whether this kind of target can be checked file by file (and so keeps ``verified.json``)."""
    return getattr(remote, "stat_files", None) is not None and verify_hours(target) > 0


def last_verified(remote: object, state: TargetState, target: Target,
                  manifest: Mapping[str, ManifestEntry], names: list[str]) -> float | None:
    """When the target was last listed in full, if that may matter to this publish (``names``:
    the keys of the state area; a lock among them, held or left by a killed publish: None)."""
    if not manifest or not can_trust(remote, target) or VERIFIED_KEY not in names or LOCK_KEY in names:
        return None
    try:
        return read_verified(state)
    except SitekeeperError:
        return None


def trusted_listing(remote: object, manifest: Mapping[str, ManifestEntry], target: Target,
                    verified_at: float | None, now: float | None = None) -> dict[str, RemoteEntry] | None:
    """The listing the manifest vouches for, or None when the target must be listed in full."""
    stat_files = getattr(remote, "stat_files", None)
    if stat_files is None or not manifest or verified_at is None or not can_trust(remote, target):
        return None
    if any(not e.stamp for e in manifest.values()):
        return None
    now = time.time() if now is None else now
    if verified_at > now + FUTURE_SLACK or now - verified_at > verify_hours(target) * 3600:
        return None
    sample = sample_of(manifest)
    seen: Mapping[str, RemoteEntry | None] = stat_files(sample)
    for path in sample:
        got, known = seen.get(path), manifest[path]
        if got is None or got.size != known.size or got.stamp != known.stamp:
            return None
    listing = {path: RemoteEntry(e.size, e.stamp) for path, e in manifest.items()}
    known_folders = getattr(remote, "known_folders", None)
    if known_folders is not None:
        known_folders(listing)  # the folders that hold these files exist: uploads need not create them
    return listing
