"""Colour and a progress bar on a terminal; the plain text, byte for byte, when piped or NO_COLOR."""

import io
import textwrap

from reviewer.cli import main
from reviewer.render.terminal import AuditProgress, is_terminal

WORKER = textwrap.dedent("""\
    import requests


    def refresh_rates():
        return requests.get("https://rates.example.com/latest").json()
""")
ESC = "\x1b["


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(argv, out, err=None):
    return main(argv, out, err or io.StringIO())


def test_a_terminal_gets_colour_and_a_pipe_or_no_color_gets_the_plain_text(tmp_path, monkeypatch):
    (tmp_path / "worker.py").write_text(WORKER)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    piped = io.StringIO()
    run(["audit", str(tmp_path)], piped)
    assert ESC not in piped.getvalue()
    tty = Terminal()
    run(["audit", str(tmp_path)], tty)
    coloured = tty.getvalue()
    assert ESC in coloured
    assert "\x1b[33mwarning" in coloured  # the severity in yellow
    plain_of_coloured = "".join(part.split("m", 1)[-1] for part in coloured.split(ESC))
    assert plain_of_coloured == piped.getvalue()  # colour added, nothing else changed
    monkeypatch.setenv("NO_COLOR", "1")
    no_color = Terminal()
    run(["audit", str(tmp_path)], no_color)
    assert no_color.getvalue() == piped.getvalue()


def test_the_progress_bar_waits_a_second_then_shows_and_is_gone_at_the_end():
    now = [100.0]
    stream = Terminal()
    progress = AuditProgress(stream, clock=lambda: now[0])
    progress(3, 90)
    now[0] += 0.5
    progress(30, 90)
    assert not progress.shown and stream.getvalue() == ""  # a quick audit never draws a bar
    now[0] += 0.6
    progress(45, 90)
    assert progress.shown
    progress.close()
    assert "auditing" in stream.getvalue() and "45/90" in stream.getvalue()


def test_is_terminal_follows_no_color_and_dumb_terminals():
    assert is_terminal(Terminal(), {"TERM": "xterm"})
    assert not is_terminal(Terminal(), {"TERM": "xterm", "NO_COLOR": "1"})
    assert is_terminal(Terminal(), {"TERM": "xterm", "NO_COLOR": ""})  # no-color.org: empty means unset
    assert not is_terminal(Terminal(), {"TERM": "dumb"})
    assert not is_terminal(io.StringIO(), {"TERM": "xterm"})
