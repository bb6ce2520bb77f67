"""Hidden markers: how a rerun knows what an earlier run already said on a pull request.

    <!-- arch-review:fp=<16 hex> -->         one finding: an inline comment or a listed item
    <!-- arch-review:fps=<hex>,<hex>,… -->   a few findings (written by earlier versions)
    <!-- arch-review:seen=<base64> -->       many findings: the first 4 bytes of each fingerprint,
                                             packed (5.3 characters a finding instead of 17)
    <!-- arch-review:model-head=<sha> -->    the head commit the model reviewed: the next push sends
                                             the model only the hunks changed since
    <!-- arch-review:inline=<base64> -->     in a review body, packed like ``seen``: what its inline
                                             comments stand for, so a comment a person deleted is
                                             known as said (its thread is gone), never posted again

The packed form is for the findings a comment or the review body stands for without listing them
(repeats folded into one comment, items past the body limit). 32 bits are plenty: a new finding
mistaken for one of 5,000 recorded ones has a chance of about one in a million.
Untrusted text cannot forge a marker: ``defuse`` it before it goes into a body.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.model import Finding

SHORT_BYTES = 4
_FP = re.compile(r"<!-- arch-review:fps?=([0-9a-f,]+) -->")
_SEEN = re.compile(r"<!-- arch-review:seen=([A-Za-z0-9+/=]*) -->")
_SEEN_WRAP = len("<!-- arch-review:seen= -->")
_INLINE = re.compile(r"<!-- arch-review:inline=([A-Za-z0-9+/=]*) -->")
_MODEL_HEAD = re.compile(r"<!-- arch-review:model-head=([0-9a-f]{7,64}) -->")


def marker(finding: Finding) -> str:
    return f"<!-- arch-review:fp={finding.fingerprint()} -->"


def _pack(fingerprints: Iterable[str]) -> str:
    return base64.b64encode(b"".join(bytes.fromhex(fp[: SHORT_BYTES * 2]) for fp in sorted(set(fingerprints)))).decode()


def _unpack(packed: str) -> set[str]:
    try:
        data = base64.b64decode(packed, validate=True)
    except ValueError:
        return set()
    return {data[i:i + SHORT_BYTES].hex() for i in range(0, len(data) - SHORT_BYTES + 1, SHORT_BYTES)}


def packed_marker(fingerprints: Iterable[str]) -> str:
    data = _pack(fingerprints)
    return f"<!-- arch-review:seen={data} -->" if data else ""


def inline_marker(fingerprints: Iterable[str]) -> str:
    data = _pack(fingerprints)
    return f"<!-- arch-review:inline={data} -->" if data else ""


def inline_recorded(*texts: str | None) -> set[str]:
    """The short fingerprints review bodies recorded for their inline comments."""
    return {fp for text in texts for m in _INLINE.finditer(text or "") for fp in _unpack(m.group(1))}


def packed_size(count: int) -> int:
    """Characters ``packed_marker`` takes for ``count`` distinct fingerprints."""
    return _SEEN_WRAP + 4 * -(-count * SHORT_BYTES // 3) if count else 0


def packed_capacity(room: int) -> int:
    """How many fingerprints a packed marker can hold in ``room`` characters."""
    if room <= _SEEN_WRAP:
        return 0
    return ((room - _SEEN_WRAP) // 4 * 3) // SHORT_BYTES


def defuse(text: str) -> str:
    """No HTML comment can start or end inside our text, so markers cannot be forged."""
    return text.replace("<!--", "&lt;!--").replace("-->", "--&gt;")


def fingerprints_in(text: str | None) -> set[str]:
    """The full fingerprints of the ``fp=`` and ``fps=`` markers in a text."""
    found: set[str] = set()
    for m in _FP.finditer(text or ""):
        found.update(fp for fp in m.group(1).split(",") if fp)
    return found


@dataclass
class Posted:
    """The fingerprints earlier runs recorded, full and packed: ``fp in posted``."""

    full: set[str] = field(default_factory=set)
    short: set[str] = field(default_factory=set)

    def read(self, text: str | None) -> None:
        self.full |= fingerprints_in(text)
        for m in _SEEN.finditer(text or ""):
            self.short |= _unpack(m.group(1))

    def short_keys(self) -> set[str]:
        """Every recorded fingerprint cut to its packed form."""
        return self.short | {fp[: SHORT_BYTES * 2] for fp in self.full}

    def __contains__(self, fingerprint: object) -> bool:
        return isinstance(fingerprint, str) and (
            fingerprint in self.full or fingerprint[: SHORT_BYTES * 2] in self.short)

    def __len__(self) -> int:
        return len(self.full) + len(self.short)


def posted_in(*texts: str | None) -> Posted:
    posted = Posted()
    for text in texts:
        posted.read(text)
    return posted


def model_head_marker(sha: str) -> str:
    """Records the head the model reviewed (only our own review bodies are read for it)."""
    return f"<!-- arch-review:model-head={sha.lower()} -->" if re.fullmatch(r"[0-9a-fA-F]{7,64}", sha) else ""


def model_head_in(*texts: str | None) -> str | None:
    """The last model-head recorded in ``texts`` (given oldest first)."""
    found = None
    for text in texts:
        for m in _MODEL_HEAD.finditer(text or ""):
            found = m.group(1)
    return found
