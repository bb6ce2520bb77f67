"""A baseline of accepted findings (checkov's ``--baseline``): adopt the tool on a legacy repository,
then show and fail only on what is new.

The file holds each finding's fingerprint (rule + path + normalised anchor code, see
``Finding.fingerprint``), so a finding stays "known" when unrelated edits shift its line, and a key of
its subject (rule + path + title without line references), so a bumped ``FROM`` tag or an edit of the
flagged line does not bring back a finding about the same container or call, as a PR review judges
newness (newness.py). Each entry vouches for one finding. Rule and path are kept for a reader.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.errors import UsageError
from reviewer.model import Finding
from reviewer.newness import subject

VERSION = 1


def subject_key(f: Finding) -> str:
    return hashlib.sha256(f"{f.rule_id}|{f.path}|{subject(f)}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Baseline:
    entries: tuple[tuple[str, str | None], ...]  # (fingerprint, subject key; None in older files)

    @classmethod
    def parse(cls, text: str, source: str) -> Baseline:
        try:
            data = json.loads(text)
            entries = data["findings"]
            if data.get("version") != VERSION or not isinstance(entries, list):
                raise ValueError(f"expected version {VERSION} and a findings list")
            return cls(tuple((str(e["fingerprint"]), str(e["subject"]) if e.get("subject") else None)
                             for e in entries))
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"baseline {source} is not an arch-review baseline "
                             f"(write one with --write-baseline): {exc}") from None

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """The findings not in the baseline, and how many were."""
        findings = list(findings)
        by_fp: dict[str, list[int]] = defaultdict(list)
        by_subject: dict[str, list[int]] = defaultdict(list)
        for i, (fp, subj) in enumerate(self.entries):
            by_fp[fp].append(i)
            if subj:
                by_subject[subj].append(i)
        used: set[int] = set()

        def take(pool: list[int]) -> bool:
            free = next((i for i in pool if i not in used), None)
            if free is not None:
                used.add(free)
            return free is not None

        unmatched = [f for f in findings if not take(by_fp.get(f.fingerprint(), []))]
        new = [f for f in unmatched if not take(by_subject.get(subject_key(f), []))]
        return new, len(findings) - len(new)


def render_baseline(findings: Iterable[Finding]) -> str:
    entries = sorted((f.rule_id, f.path, f.fingerprint(), subject_key(f)) for f in findings)
    return json.dumps({"version": VERSION, "findings": [{"rule": r, "path": p, "fingerprint": fp, "subject": sk}
                                                        for r, p, fp, sk in entries]}, indent=2) + "\n"
