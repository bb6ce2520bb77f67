"""Which rules run: ``--select`` / ``--ignore`` (ruff's habit), by rule id or id prefix.

``--select k8s-,fastapi-blocking`` runs only the rules whose id starts with one of them; ``--ignore``
takes rules away after that. A name that matches no rule is a usage error with a "did you mean",
never an empty run that passes in silence.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from reviewer.errors import UsageError


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` for the closest known name, or ``""``."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def split_names(values: Iterable[str] | None) -> list[str]:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]``: repeated flags and comma lists both work."""
    return [name.strip() for value in values or () for name in value.split(",") if name.strip()]


def _matching(names: list[str], known: Collection[str], flag: str) -> set[str]:
    out: set[str] = set()
    for name in names:
        hits = {r for r in known if r == name or r.startswith(name)}
        if not hits:
            raise UsageError(f"{flag} {name}: no rule id is or starts with {name!r}{did_you_mean(name, known)}")
        out |= hits
    return out


def deselected(known: Collection[str], select: Iterable[str] | None, ignore: Iterable[str] | None) -> frozenset[str]:
    """The rule ids ``--select``/``--ignore`` turn off (to add to the config's disabled rules)."""
    chosen = _matching(split_names(select), known, "--select") if split_names(select) else set(known)
    chosen -= _matching(split_names(ignore), known, "--ignore")
    return frozenset(set(known) - chosen)
