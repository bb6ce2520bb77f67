"""`arch-review conventions`: what the repository's services were seen to do, with the share of each."""

from __future__ import annotations

import json

from reviewer.services.conventions import MIN_SERVICES, Learned


def _state(item: Learned) -> str:
    if item.off:
        return "off (config)"
    if item.holds:
        declared = ", declared" if item.declared else ""
        defers = f", reported by {item.convention.defers_to} while it is on" if item.convention.defers_to else ""
        return f"convention{declared}{defers}"
    if item.applies < MIN_SERVICES or len(item.followers) < MIN_SERVICES:
        return f"too few services (needs {MIN_SERVICES} that follow it)"
    return f"no clear majority (needs {item.min_share:.0%})"


def _title(item: Learned) -> str:
    return f"{item.convention.title} ({item.value})" if item.value else item.convention.title


def render_conventions(learned: list[Learned], services: list[str], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({
            "services": services,
            "min_services": MIN_SERVICES,
            "conventions": [{
                "id": i.convention.id, "title": i.convention.title, "rule": i.convention.rule,
                "value": i.value, "followers": i.followers, "others": i.others,
                "share": round(i.share, 3), "holds": i.holds, "declared": i.declared, "off": i.off,
                "reported_by": i.convention.defers_to or i.convention.rule,
                "example": ({"service": name, "path": ev.path, "line": ev.line, "lines": list(ev.lines)}
                            if (name := next(iter(i.evidence), None)) and (ev := i.evidence[name]) else None),
            } for i in learned],
        }, indent=2) + "\n"
    lines = [f"{len(services)} service{'s' if len(services) != 1 else ''} judged: {', '.join(services) or '-'}"]
    if len(services) < MIN_SERVICES:
        lines.append(f"fewer than {MIN_SERVICES} services: no convention is learned or reported")
    for item in learned:
        if not item.applies:
            continue
        share = f"{len(item.followers)}/{item.applies}"
        lines.append(f"{item.convention.id:<18} {share:>6} {item.share:>5.0%}  {_title(item)}: {_state(item)}")
        if item.followers:
            lines.append(f"{'':<18} follow: {', '.join(item.followers)}")
        if item.others:
            lines.append(f"{'':<18} do not: {', '.join(item.others)}")
    return "\n".join(lines) + "\n"
