"""API compatibility base -> head, from the AST of both sides."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.engine import review
from reviewer.project import Project
from reviewer.rules.registry import RuleContext
from reviewer.services.api import ApiSurface
from reviewer.services.api_diff import Differ
from reviewer.workspace.files import DictSource

SCHEMAS = """\
from enum import Enum

from pydantic import BaseModel


class Base(BaseModel):
    id: int


class Status(str, Enum):
    OPEN = "open"
    DONE = "done"


class TaskOut(Base):
    title: str
    status: Status


class TaskIn(BaseModel):
    title: str
"""

MAIN = """\
from fastapi import FastAPI

from app.schemas import TaskIn, TaskOut

app = FastAPI()


@app.get("/tasks/{task_id}", response_model=TaskOut)
async def get_task(task_id: int):
    ...


@app.post("/tasks", status_code=201)
async def create_task(body: TaskIn) -> list[TaskOut]:
    ...
"""


def _changes(base: dict[str, str], head: dict[str, str]) -> set[tuple[str, str, int, str]]:
    b, h = Project.load(DictSource(base)), Project.load(DictSource(head))
    differ = Differ(ApiSurface(b.files.values(), lambda p: ""), ApiSurface(h.files.values(), lambda p: ""),
                    set(h.files))
    return {(c.rule_id, c.path, c.line, c.detail) for c in differ.changes()}


def _tree(schemas: str = SCHEMAS, main: str = MAIN) -> dict[str, str]:
    return {"app/__init__.py": "", "app/schemas.py": schemas, "app/main.py": main}


def test_identical_sides_have_no_changes():
    assert _changes(_tree(), _tree()) == set()


def test_inherited_response_field_removed_anchors_on_the_head_model():
    head = SCHEMAS.replace("class Base(BaseModel):\n    id: int\n", "class Base(BaseModel):\n    pass\n")
    assert _changes(_tree(), _tree(head)) == {
        ("api-response-field-removed", "app/schemas.py", 15, "`id` removed from response model `TaskOut`")}


def test_enum_member_removed_through_a_response_model():
    head = SCHEMAS.replace('    DONE = "done"\n', "")
    assert _changes(_tree(), _tree(head)) == {
        ("api-enum-value-removed", "app/schemas.py", 10, "`DONE` removed from `Status`")}


def test_request_field_added_without_default_but_not_with_one():
    required = SCHEMAS + "    due: str\n"
    optional = SCHEMAS + "    due: str | None = None\n"
    assert {c[0] for c in _changes(_tree(), _tree(required))} == {"api-request-field-now-required"}
    assert _changes(_tree(), _tree(optional)) == set()


def test_route_removed_unless_deprecated_and_skipped_when_the_file_is_gone():
    without_get = MAIN.replace('@app.get("/tasks/{task_id}", response_model=TaskOut)\n', "")
    assert {c[:3] for c in _changes(_tree(), _tree(main=without_get))} == {("api-route-removed", "app/main.py", 12)}
    deprecated = MAIN.replace("response_model=TaskOut)", "response_model=TaskOut, deprecated=True)")
    assert _changes(_tree(main=deprecated), _tree(main=without_get)) == set()
    head = _tree()
    del head["app/main.py"]
    assert _changes(_tree(), head) == set()


def test_status_code_default_is_200():
    explicit = MAIN.replace("response_model=TaskOut)", "response_model=TaskOut, status_code=200)")
    assert _changes(_tree(), _tree(main=explicit)) == set()
    changed = MAIN.replace("status_code=201", "status_code=200")
    assert {c[0] for c in _changes(_tree(), _tree(main=changed))} == {"api-success-status-changed"}


def test_rules_run_only_with_a_base_side_and_read_unchanged_files_from_head():
    head = Project.load(DictSource(_tree(SCHEMAS.replace("    title: str\n    status", "    status"))))
    # a PR's base project holds only the changed Python files; main.py is read from head
    base = Project.load(DictSource({"app/schemas.py": SCHEMAS}))
    with_base = review(RuleContext(project=head, base=base), Config())
    assert [(f.rule_id, f.line) for f in with_base.findings if f.rule_id.startswith("api-")] == [
        ("api-response-field-removed", 15)]
    audit = review(RuleContext(project=head), Config())
    assert [f for f in audit.findings if f.rule_id.startswith("api-")] == []


def test_renaming_a_path_parameter_is_not_a_removed_route():
    base = {"svc/app.py": "from fastapi import FastAPI\napp = FastAPI()\n\n\n"
                          "@app.get('/{project_id}/flags/{flag_id}')\n"
                          "def get_flag(project_id: int, flag_id: int):\n    return {}\n"}
    head = {"svc/app.py": base["svc/app.py"].replace("{project_id}", "{projectId}").replace(
        "project_id: int", "projectId: int")}
    base_files = Project.load(DictSource(base)).files.values()
    head_files = Project.load(DictSource(head)).files.values()
    changes = list(Differ(ApiSurface(base_files, lambda p: "svc"), ApiSurface(head_files, lambda p: "svc"),
                          set(head)).changes())
    assert [c.rule_id for c in changes if c.rule_id == "api-route-removed"] == []
