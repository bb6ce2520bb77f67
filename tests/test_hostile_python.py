"""Python the parser chokes on (deep nesting raises RecursionError or MemoryError inside ast.parse)
or that parses into a tree too deep for recursive walkers: one note on that file, and every rule
still runs on every other file."""

import ast

import pytest

from reviewer.config import Config
from reviewer.engine import audit_tree
from reviewer.sources.python_ast import MAX_AST_DEPTH, PythonModule, parse_python
from reviewer.workspace.files import DictSource

HANDLER = '''\
import requests
from fastapi import FastAPI

app = FastAPI()


@app.get("/orders")
async def orders():
    return requests.get("http://billing/x").json()
'''

DEEP = {
    "unary minus": "x = " + "-" * 100_000 + "1\n",
    "nested lambdas": "f = " + "lambda: " * 5_000 + "1\n",
    "long sum": "x = " + " + ".join(["a"] * 1_000) + "\n",
    "nested calls": "x = f" + "()" * 1_000 + "\n",
    "parentheses": "x = " + "(" * 1_000 + "1" + ")" * 1_000 + "\n",
    "just over the limit": "x = " + "-" * MAX_AST_DEPTH + "1\n",
}


@pytest.mark.parametrize("source", DEEP.values(), ids=DEEP.keys())
def test_deep_python_is_one_parse_error_and_rules_still_run(source):
    report, _ = audit_tree(DictSource({"svc/deep.py": source, "svc/app.py": HANDLER}), Config())
    assert [n for n in report.notes if n.startswith("svc/deep.py")], report.notes
    assert not [n for n in report.notes if "failed and was skipped" in n], report.notes
    assert any(f.path == "svc/app.py" for f in report.findings)


def test_nesting_up_to_the_limit_is_reviewed():
    source = "x = " + "-" * (MAX_AST_DEPTH - 10) + "1\n" + HANDLER
    report, _ = audit_tree(DictSource({"svc/app.py": source}), Config())
    assert not report.notes
    assert any(f.path == "svc/app.py" for f in report.findings)


@pytest.mark.parametrize("source", ["x = -1\n", HANDLER, "async def f():\n    return [x async for x in y]\n"])
def test_nodes_are_in_ast_walk_order(source):
    tree = parse_python(source, "m.py")
    assert PythonModule("m.py", tree).nodes == list(ast.walk(tree))


def test_parse_errors_are_value_errors_not_recursion_or_memory_errors():
    with pytest.raises(ValueError, match="nested too deeply for Python's parser"):
        parse_python(DEEP["unary minus"], "deep.py")
    with pytest.raises(ValueError, match=f"nested more than {MAX_AST_DEPTH} levels deep"):
        parse_python(DEEP["long sum"], "deep.py")
