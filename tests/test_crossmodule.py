"""The cross-module resolver: which project function an imported name calls, or None when unsure."""

from __future__ import annotations

import ast

from reviewer.project import Project
from reviewer.sources.modules import Resolved, resolver
from reviewer.sources.python_reach import reach
from reviewer.workspace.files import DictSource

FETCH = "import requests\n\n\ndef fetch_stock(item_id):\n    return requests.get(f'http://inv/{item_id}')\n"


def _project(files: dict[str, str]) -> Project:
    return Project.load(DictSource({p: t.encode() for p, t in files.items()}))


def _resolve(files: dict[str, str], importer: str, call: str) -> Resolved | None:
    """Resolve the function ``call`` names, as written inside ``handler()`` of ``importer``."""
    project = _project(files)
    mod = project.files[importer].python
    fn = mod.functions["handler"]
    expr = next(n.func for n in ast.walk(fn) if isinstance(n, ast.Call) and ast.unparse(n.func) == call)
    return resolver(project).function(importer, mod, expr, fn)


def _where(found: Resolved | None) -> tuple[str, str] | None:
    return (found.path, found.func.name) if found is not None else None


def test_relative_import_resolves_from_the_importing_package():
    files = {"svc/app/main.py": "from .clients import fetch_stock\n\ndef handler():\n    fetch_stock(1)\n",
             "svc/app/clients.py": FETCH, "other/app/clients.py": FETCH}
    assert _where(_resolve(files, "svc/app/main.py", "fetch_stock")) == ("svc/app/clients.py", "fetch_stock")


def test_parent_relative_import_and_module_import():
    files = {"app/api/routes.py": "from .. import clients\n\ndef handler():\n    clients.fetch_stock(1)\n",
             "app/__init__.py": "", "app/clients.py": FETCH}
    assert _where(_resolve(files, "app/api/routes.py", "clients.fetch_stock")) == ("app/clients.py", "fetch_stock")


def test_absolute_import_prefers_the_root_closest_to_the_importer():
    importer = "from app.clients import fetch_stock\n\ndef handler():\n    fetch_stock(1)\n"
    files = {"services/orders/app/main.py": importer, "services/orders/app/clients.py": FETCH,
             "services/billing/app/clients.py": FETCH, "app/clients.py": FETCH}
    found = _resolve(files, "services/orders/app/main.py", "fetch_stock")
    assert _where(found) == ("services/orders/app/clients.py", "fetch_stock")


def test_absolute_import_of_a_module_and_dotted_import():
    files = {"app/main.py": "from app import clients\nimport app.db\n\ndef handler():\n"
                            "    clients.fetch_stock(1)\n    app.db.ping()\n",
             "app/__init__.py": "", "app/clients.py": FETCH, "app/db.py": "def ping():\n    pass\n"}
    assert _where(_resolve(files, "app/main.py", "clients.fetch_stock")) == ("app/clients.py", "fetch_stock")
    assert _where(_resolve(files, "app/main.py", "app.db.ping")) == ("app/db.py", "ping")


def test_package_init_and_reexport():
    files = {"app/main.py": "from app.catalog import load\nfrom app import fetch_stock\n\ndef handler():\n"
                            "    load()\n    fetch_stock(1)\n",
             "app/__init__.py": "from .clients import fetch_stock\n", "app/clients.py": FETCH,
             "app/catalog/__init__.py": "def load():\n    return []\n"}
    assert _where(_resolve(files, "app/main.py", "load")) == ("app/catalog/__init__.py", "load")
    assert _where(_resolve(files, "app/main.py", "fetch_stock")) == ("app/clients.py", "fetch_stock")


def test_ambiguous_or_uncertain_names_resolve_to_none():
    main = ("from app.clients import fetch_stock\nfrom app.util import fmt\n"
            "try:\n    from app.fast import parse\nexcept ImportError:\n    from app.slow import parse\n"
            "from app.util import Helper\n\n"
            "def handler(clients):\n    fetch_stock(1)\n    fmt()\n    parse()\n    clients.fetch_stock()\n"
            "    Helper()\n")
    files = {"app/main.py": main,
             "app/clients.py": FETCH, "app/clients/__init__.py": FETCH,  # a module and a package: which one?
             "app/util.py": "class Helper:\n    pass\n\nfmt = str.format\n",
             "app/fast.py": "def parse():\n    pass\n", "app/slow.py": "def parse():\n    pass\n"}
    for call in ("fetch_stock", "fmt", "parse", "clients.fetch_stock", "Helper"):
        assert _resolve(files, "app/main.py", call) is None, call


def test_unrelated_package_and_stdlib_are_not_matched():
    files = {"services/orders/main.py": "from clients import fetch_stock\nimport json\n\ndef handler():\n"
                                        "    fetch_stock(1)\n    json.dumps({})\n",
             "services/billing/clients.py": FETCH, "json.py": "def dumps(x):\n    pass\n"}
    assert _resolve(files, "services/orders/main.py", "fetch_stock") is None
    assert _resolve(files, "services/orders/main.py", "json.dumps") is None


def test_locally_imported_name_inside_the_function():
    files = {"app/main.py": "def handler():\n    from .clients import fetch_stock\n    fetch_stock(1)\n",
             "app/clients.py": FETCH}
    assert _where(_resolve(files, "app/main.py", "fetch_stock")) == ("app/clients.py", "fetch_stock")


def test_reexport_cycle_resolves_to_none():
    files = {"app/main.py": "from app.a import f\n\ndef handler():\n    f()\n",
             "app/a.py": "from app.b import f\n", "app/b.py": "from app.a import f\n"}
    assert _resolve(files, "app/main.py", "f") is None


def test_io_through_mutually_importing_helpers_terminates_and_is_found():
    files = {"app/main.py": "from app.a import ping\n\nasync def handler():\n    ping()\n",
             "app/a.py": "from app.b import pong\n\ndef ping():\n    pong()\n",
             "app/b.py": "import requests\nfrom app.a import ping\n\ndef pong():\n    ping()\n"
                         "    requests.get('http://x')\n"}
    project = _project(files)
    mod = project.files["app/main.py"].python
    trail = reach(project, Resolved("app/main.py", mod, mod.functions["handler"]), depth=2)
    assert trail is not None and (trail.path, trail.io.name) == ("app/b.py", "requests.get")
    assert trail.where() == "`requests.get()` at app/b.py:6 (via `pong()`)"
    project = _project(files)
    mod = project.files["app/main.py"].python
    assert reach(project, Resolved("app/main.py", mod, mod.functions["handler"]), depth=1) is None
