"""A terminal's extras (rich): colour for the text report and a progress bar for long audits.

Only for a terminal: piped output, ``NO_COLOR`` (https://no-color.org: "when present and not an empty
string ... prevents the addition of ANSI color") and ``TERM=dumb`` get the plain text, byte for byte.
rich is imported only here and only when a terminal asks (it costs start-up time).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

PROGRESS_DELAY_S = 1.0  # audits quicker than this show no bar at all
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_FINDING = re.compile(r"^(  \d+: )(error|warning|info)(\s+)(\S+)(.*)$")


def is_terminal(stream: TextIO, env: Mapping[str, str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not env.get("NO_COLOR") and env.get("TERM") != "dumb"


def write_coloured(text: str, stream: TextIO) -> None:
    """The text report with paths in bold, severities in colour, fixes and notes dimmed."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True)
    for line in text.splitlines():
        out = Text()
        m = _FINDING.match(line)
        if m:
            out.append(m.group(1))
            out.append(m.group(2), _STYLE[m.group(2)])
            out.append(m.group(3))
            out.append(m.group(4), "bold")
            out.append(m.group(5))
        elif line.startswith(("      fix: ", "      example fix: ", "note: ")):
            out.append(line, "dim")
        elif line and not line.startswith(" "):
            out.append(line, "bold" if "/" in line or "." in line.split(" ")[0] else "")
        else:
            out.append(line)
        console.print(out)


class AuditProgress:
    """``progress(done, total)`` for the engine: a transient bar on ``stream``, shown only once the
    audit has run for ``PROGRESS_DELAY_S``, gone when it ends."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic,
                 delay: float = PROGRESS_DELAY_S) -> None:
        self.stream, self.clock, self.delay = stream, clock, delay
        self.started_at = clock()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if self.clock() - self.started_at < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TextColumn("rules"),
                                 TimeElapsedColumn(), console=Console(file=self.stream, force_terminal=True),
                                 transient=True)
            self._task = self._bar.add_task("audit", total=total)
            self._bar.start()
        self._bar.update(self._task, completed=done, total=total)

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
