"""A baseline of accepted findings (checkov's ``--baseline``): adopt the tool on a legacy repository,
then show and fail only on what is new.

The file holds each finding's fingerprint (rule + path + normalised anchor code, see
``Finding.fingerprint``), so a finding stays "known" when unrelated edits shift its line, and comes
back when its code changes. Rule and path are kept beside it for a reader of the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.errors import UsageError
from reviewer.model import Finding

VERSION = 1


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str]

    @classmethod
    def parse(cls, text: str, source: str) -> Baseline:
        try:
            data = json.loads(text)
            entries = data["findings"]
            if data.get("version") != VERSION or not isinstance(entries, list):
                raise ValueError(f"expected version {VERSION} and a findings list")
            return cls(frozenset(str(e["fingerprint"]) for e in entries))
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"baseline {source} is not an arch-review baseline "
                             f"(write one with --write-baseline): {exc}") from None

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """The findings not in the baseline, and how many were."""
        findings = list(findings)
        new = [f for f in findings if f.fingerprint() not in self.fingerprints]
        return new, len(findings) - len(new)


def render_baseline(findings: Iterable[Finding]) -> str:
    entries = sorted({(f.rule_id, f.path, f.fingerprint()) for f in findings})
    return json.dumps({"version": VERSION, "findings": [{"rule": r, "path": p, "fingerprint": fp}
                                                        for r, p, fp in entries]}, indent=2) + "\n"
