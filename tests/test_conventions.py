"""The house conventions: what `arch-review conventions` shows, and how the config moves them."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.config import load_config_text
from reviewer.errors import ConfigError
from tests.rules.casefiles import CASES, run_case

TRACED = CASES / "convention-service-code" / "bad"  # orders, billing, shipping trace; reports does not


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_conventions_prints_each_with_its_share_and_who_follows_it():
    code, out, err = run(["conventions", str(TRACED)])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "4 services judged: billing, orders, reports, shipping"
    i = next(n for n, line in enumerate(lines) if line.startswith("tracing "))
    assert lines[i].split() == ["tracing", "3/4", "75%", "OpenTelemetry", "tracing:", "convention"]
    assert lines[i + 1].split() == ["follow:", "billing,", "orders,", "shipping"]
    assert lines[i + 2].split() == ["do", "not:", "reports"]
    assert any(line.startswith("base-image") and "(python:*-slim)" in line for line in lines)


def test_conventions_json_names_the_rule_the_share_and_a_followers_own_lines():
    code, out, _ = run(["conventions", str(TRACED), "--format", "json"])
    data = json.loads(out)
    tracing = next(c for c in data["conventions"] if c["id"] == "tracing")
    assert (code, tracing["holds"], tracing["share"], tracing["others"]) == (0, True, 0.75, ["reports"])
    assert tracing["example"]["lines"] == ["from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor",
                                           "FastAPIInstrumentor.instrument_app(app)"]


def test_fewer_than_three_services_learn_nothing(tmp_path):
    for name in ("orders", "reports"):
        shutil.copytree(TRACED / "services" / name, tmp_path / "services" / name)
    code, out, _ = run(["conventions", str(tmp_path)])
    assert code == 0
    assert "fewer than 3 services: no convention is learned or reported" in out
    assert ": convention" not in out
    found, _ = run_case(tmp_path)
    assert {f for f in found if f[0].startswith("convention-")} == set()


def test_a_convention_switched_off_in_the_config_is_not_reported():
    config = load_config_text("conventions:\n  off: [tracing]\n", "cfg.yml", None)
    found, _ = run_case(TRACED, config)
    assert {f for f in found if f[0] == "convention-service-code"} == set()
    found, _ = run_case(TRACED)
    assert ("convention-service-code", "services/reports/app/main.py", 11) in found


def test_a_declared_convention_holds_without_a_clear_majority(tmp_path):
    shutil.copytree(TRACED, tmp_path / "repo")
    shutil.copytree(TRACED / "services" / "reports", tmp_path / "repo" / "services" / "invoices")  # 3 of 5 trace
    found, _ = run_case(tmp_path / "repo")
    assert {f for f in found if f[0] == "convention-service-code"} == set()
    config = load_config_text("conventions:\n  declare: [tracing]\n", "cfg.yml", None)
    found, _ = run_case(tmp_path / "repo", config)
    assert {f[1] for f in found if f[0] == "convention-service-code"} == {
        "services/reports/app/main.py", "services/invoices/app/main.py"}


@pytest.mark.parametrize("text, key", [
    ("conventions:\n  off: [tracin]\n", "conventions.off"),
    ("conventions:\n  declare: [tracing]\n  off: [tracing]\n", "conventions"),
    ("conventions:\n  min-share: 0.4\n", "conventions.min-share"),
    ("conventions:\n  ignore: [tracing]\n", "conventions.ignore"),
])
def test_bad_conventions_config_names_the_key(text, key):
    with pytest.raises(ConfigError) as exc:
        load_config_text(text, "cfg.yml", None)
    assert key in str(exc.value)


def test_conventions_of_a_missing_directory_is_a_usage_error(tmp_path: Path):
    code, _, err = run(["conventions", str(tmp_path / "nope")])
    assert code == 2 and "is not a directory" in err


@pytest.mark.parametrize("ref, family", [
    ("python:3.12-slim", "python:*-slim"),
    ("python:3.11-slim-bookworm@sha256:" + "a" * 64, "python:*-slim"),
    ("python:3.12-alpine3.19", "python:*-alpine"),
    ("python:3.12", "python"),
    ("python:slim", "python:slim"),
    ("gcr.io/distroless/python3-debian12:nonroot", "gcr.io/distroless/python3-debian12:nonroot"),
    ("${BASE_IMAGE}", None),
    ("scratch", None),
])
def test_base_image_family_keeps_the_flavour_and_drops_the_release(ref, family):
    from reviewer.services.traits import image_family

    assert image_family(ref) == family
