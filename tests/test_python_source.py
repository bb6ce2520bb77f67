import ast

import pytest

from reviewer.project import Project
from reviewer.sources.python_ast import parse_python
from reviewer.workspace.files import DictSource

PY314 = """\
import requests


def fetch():
    try:
        return requests.get("http://inventory:8000/stock")
    except ValueError, KeyError:
        return None
"""


def test_python_3_14_unparenthesized_except_lists_parse_with_lines_kept():
    tree = parse_python(PY314, "svc/app.py")
    handler = tree.body[1].body[0].handlers[0]
    assert isinstance(handler.type, ast.Tuple) and handler.lineno == 7
    f = Project.load(DictSource({"svc/app.py": PY314})).files["svc/app.py"]
    assert f.python is not None and f.error is None


def test_a_real_syntax_error_keeps_its_own_message():
    with pytest.raises(SyntaxError) as exc:
        parse_python("def broken(:\n    except A, B:\n", "x.py")
    assert exc.value.lineno == 1
