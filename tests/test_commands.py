"""PR commands parsed, PR state carried in a marker, replies read back: tables of what a user types."""

from __future__ import annotations

import pytest

from reviewer.commands import Command, Ignored, PrState, Verb, parse_command
from reviewer.render.conversation import comment_rules, is_dismissal


@pytest.mark.parametrize(("words", "expected"), [
    ("", Command(Verb.REVIEW)),
    ("FULL", Command(Verb.FULL, words="FULL")),
    ("pause", Command(Verb.PAUSE, words="pause")),
    ("resume", Command(Verb.RESUME, words="resume")),
    ("help", Command(Verb.HELP, words="help")),
    ("ignore `k8s-no-probes`  Probes come from the   chart",
     Command(Verb.IGNORE, "k8s-no-probes", "Probes come from the chart",
             "ignore `k8s-no-probes` Probes come from the chart")),
    ("explain compose-no-healthcheck",
     Command(Verb.EXPLAIN, "compose-no-healthcheck", words="explain compose-no-healthcheck")),
    ("ignore", Command(Verb.UNKNOWN, words="ignore")),
    ("pause please", Command(Verb.UNKNOWN, words="pause please")),
    ("run", Command(Verb.UNKNOWN, words="run")),
])
def test_parse_command(words: str, expected: Command) -> None:
    assert parse_command(words) == expected


def test_state_changes_only_when_a_command_changes_it_and_survives_its_marker() -> None:
    state = PrState()
    paused = state.apply(parse_command("pause"), "alice")
    assert paused == PrState(True, "alice") and paused.apply(parse_command("pause"), "bob") == paused
    ignored = paused.apply(parse_command("ignore rule-a <!-- x --> reason"), "bob")
    assert ignored.ignored == (Ignored("rule-a", "bob", "<!-- x --> reason"),)
    assert ignored.apply(parse_command("ignore rule-a again"), "carol") == ignored
    resumed = ignored.apply(parse_command("resume"), "carol")
    assert resumed == PrState(False, "", ignored.ignored)
    assert PrState.read(["old " + paused.marker(), "newer " + resumed.marker(), "no marker"]) == resumed
    assert "-->" not in resumed.marker()[:-3]  # untrusted text cannot end the comment early
    assert PrState.read(["<!-- arch-review:state=!!notbase64 -->"]) is None


@pytest.mark.parametrize(("body", "dismissed"), [
    ("won't fix", True), ("Won\u2019t fix: it's a batch job", True), ("WONT FIX", True),
    ("False positive, the client has a default timeout", True),
    ("> the call has no timeout\n\nfalse positive", True), ("@alice false positive", True),
    ("**Won't fix**", True), ("I think this won't fix itself", False), ("fixed", False), ("", False),
])
def test_replies_that_dismiss(body: str, dismissed: bool) -> None:
    assert is_dismissal(body) is dismissed


def test_comment_rules_read_from_the_heading() -> None:
    assert comment_rules("🛑 **error** · `rule-a` + `rule-b`\n\n**`not-this`**") == (("rule-a", "rule-b"), False)
    assert comment_rules("⚠️ **warning** · `llm-resilience` · model\n\nbody") == (("llm-resilience",), True)
