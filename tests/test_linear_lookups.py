"""Lookups that used to scan every stage, service or object for each one: they must answer exactly
as the scans did. (Speed is measured by `make bench`, never by a timed test.)"""

from reviewer.config import Config
from reviewer.project import DictSource
from reviewer.run import audit_tree
from reviewer.sources.dockerfile import parse_dockerfile

STAGES = """\
FROM python:3.12 AS base
FROM base AS Build
FROM node:20 AS assets
FROM build AS final
FROM final AS base
FROM later AS early
FROM python:3.12 AS later
"""


def test_stage_lookup_by_name_is_case_insensitive_and_takes_the_first():
    df = parse_dockerfile(STAGES)
    assert df.stage_named("BUILD") is df.stages[1]
    assert df.stage_named("base") is df.stages[0]
    assert df.stage_for("final") is df.stages[3] and df.stage_for(None) is df.stages[-1]
    assert df.stage_for("missing") is None
    assert df.stage_names == {"base", "build", "assets", "final", "early", "later"}


def test_chain_follows_only_earlier_stages():
    df = parse_dockerfile(STAGES)
    assert [s.index for s in df.chain(df.stages[3])] == [3, 1, 0]
    assert [s.index for s in df.chain(df.stages[4])] == [4, 3, 1, 0]  # `FROM final AS base` repeats a name
    assert [s.index for s in df.chain(df.stages[5])] == [5]  # `later` is defined after it: an image
    assert df.parent(df.stages[2]) is None


def test_stages_compare_by_identity():
    one, two = parse_dockerfile("FROM a AS x\n").stages[0], parse_dockerfile("FROM a AS x\n").stages[0]
    assert one == one and one != two


def test_many_chained_stages_are_reviewed():
    stages = ["FROM python:latest AS s0"] + [f"FROM s{i - 1} AS s{i}\nRUN true" for i in range(1, 500)]
    report, _ = audit_tree(DictSource({"Dockerfile": "\n".join(stages) + "\nCMD uvicorn app:app\n"}), Config())
    assert {f.rule_id for f in report.findings} >= {"docker-base-image-unpinned", "docker-shell-form-entrypoint"}
    assert [f.line for f in report.findings if f.rule_id == "docker-base-image-unpinned"] == [1]
