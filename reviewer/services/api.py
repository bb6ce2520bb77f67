"""The HTTP API a tree exposes, read from FastAPI routes and Pydantic models (services.api_diff compares two).

No OpenAPI file and no running app: routes and models come from the Python AST of each side.
A model is a class deriving (transitively, within the module set) from ``BaseModel``/``SQLModel``;
a route's response models come from ``response_model=`` or its return annotation, its request
models from body parameters. The diff yields breaking changes as ``Change`` values, anchored in head.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from reviewer.project import SourceFile
from reviewer.sources.fastapi_routes import Route, route_path, routes_of
from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, keyword

_PATH_PARAM = re.compile(r"\{[^}/]*\}")
_MODEL_ROOTS = {"BaseModel", "SQLModel", "RootModel"}
_ENUM_ROOTS = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"}
_NOT_BODY = {"Depends", "Security", "Query", "Path", "Header", "Cookie", "File", "Form", "UploadFile"}
_TYPING_ALIASES = {"List": "list", "Dict": "dict", "Set": "set", "FrozenSet": "frozenset", "Tuple": "tuple",
                   "Sequence": "list", "Type": "type"}


@dataclass(frozen=True)
class Field:
    name: str
    annotation: ast.expr
    required: bool
    line: int
    value: ast.expr | None = None  # the default as written: ``Field(..., min_length=3)`` carries bounds


@dataclass
class ClassInfo:
    name: str
    path: str
    line: int
    node: ast.ClassDef
    bases: list[str]
    fields: dict[str, Field] = field(default_factory=dict)  # own fields, in order
    members: dict[str, int] = field(default_factory=dict)  # enum members -> line
    kind: str = "other"  # "model", "enum" or "other"


@dataclass
class ApiRoute:
    """A route of the API surface: the parsed route with its full path and file."""

    route: Route
    path: str
    file: str

    @property
    def method(self) -> str:
        return self.route.method

    @property
    def line(self) -> int:
        return self.route.line

    @property
    def func(self) -> FunctionNode:
        return self.route.func

    @property
    def deprecated(self) -> bool:
        return self.route.deprecated

    @property
    def status(self) -> int | None:
        return self.route.status_code

    def response_expr(self) -> ast.expr | None:
        return self.route.response_expr()


class ApiSurface:
    """Routes and model classes of one side (base or head)."""

    def __init__(self, files: Iterable[SourceFile], root_of: Callable[[str], str]) -> None:
        self.root_of = root_of
        self.classes: dict[str, list[ClassInfo]] = {}
        self.routes: dict[tuple[str, str, str], ApiRoute] = {}
        self.routes_by_file: dict[str, list[ApiRoute]] = {}
        self.modules: dict[str, PythonModule] = {}
        self._typed: dict[str, dict] = {}  # name -> {"path": {path: info}, "root": {root: info}, "any": info}
        self._resolved: dict[tuple[str, str], ClassInfo | None] = {}
        self._types: dict[tuple[int, str], list[ClassInfo]] = {}  # keyed by id(): the ASTs outlive the surface
        for f in files:
            mod = f.python if f.path.endswith(".py") else None
            if mod is None:
                continue
            self.modules[f.path] = mod
            self._read(f.path, mod)
        self._classify()

    def _read(self, path: str, mod: PythonModule) -> None:
        for node in _class_defs(mod.tree.body):
            info = ClassInfo(node.name, path, node.lineno, node,
                             [(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases])
            self.classes.setdefault(node.name, []).append(info)
        for r in routes_of(mod):
            full = route_path(mod, r)
            if full is None or r.method == "websocket":
                continue
            route = ApiRoute(r, full, path)
            # a renamed path parameter ({project_id} -> {projectId}) is the same URL on the wire
            self.routes[(self.root_of(path), r.method, _PATH_PARAM.sub("{}", full))] = route
            self.routes_by_file.setdefault(path, []).append(route)

    def _classify(self) -> None:
        kinds: dict[str, str] = {}

        def kind_of(name: str, depth: int = 0) -> str:
            if name in _MODEL_ROOTS:
                return "model"
            if name in _ENUM_ROOTS:
                return "enum"
            if name in kinds or depth > 10:
                return kinds.get(name, "other")
            kinds[name] = "other"  # cycle guard
            found = next((k for c in self.classes.get(name, []) for b in c.bases
                          if (k := kind_of(b, depth + 1)) != "other"), "other")
            kinds[name] = found
            return found

        for infos in self.classes.values():
            for info in infos:
                info.kind = next((k for b in info.bases if (k := kind_of(b)) != "other"), "other")
                if info.kind == "model":
                    info.fields = dict(_fields(info.node))
                elif info.kind == "enum":
                    info.members = dict(_members(info.node))
                if info.kind != "other":
                    typed = self._typed.setdefault(info.name, {"path": {}, "root": {}, "any": info})
                    typed["path"].setdefault(info.path, info)
                    typed["root"].setdefault(self.root_of(info.path), info)

    def resolve(self, name: str, near: str) -> ClassInfo | None:
        """The model or enum class ``name`` as seen from file ``near``: same file, then same service."""
        key = (name, near)
        if key not in self._resolved:
            found = None
            candidates = self._typed.get(name)
            if candidates:
                found = candidates["path"].get(near) or candidates["root"].get(self.root_of(near)) \
                    or candidates["any"]
            self._resolved[key] = found
        return self._resolved[key]

    def all_fields(self, model: ClassInfo, depth: int = 0) -> dict[str, Field]:
        """Fields including those inherited from model base classes (subclass wins)."""
        out: dict[str, Field] = {}
        if depth < 10:
            for b in model.bases:
                parent = self.resolve(b, model.path)
                if parent is not None and parent.kind == "model" and parent is not model:
                    out.update(self.all_fields(parent, depth + 1))
        out.update(model.fields)
        return out

    def types_in(self, expr: ast.AST | None, near: str) -> list[ClassInfo]:
        """Model and enum classes named inside a type expression, in order."""
        if expr is None:
            return []
        key = (id(expr), near)
        cached = self._types.get(key)
        if cached is not None:
            return cached
        out: list[ClassInfo] = []
        self._types[key] = out
        for node in ast.walk(expr):
            name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value  # forward reference "Item"
            info = self.resolve(name, near) if name else None
            if info is not None and info not in out:
                out.append(info)
        return out

    def request_params(self, route: ApiRoute) -> dict[str, ast.expr]:
        """Body parameters (name -> annotation) whose type names a model."""
        out = {}
        args = route.func.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = list(zip(positional, defaults, strict=True)) + list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
        for arg, default in pairs:
            if arg.annotation is None or _is_param_marker(default) or _annotated_marker(arg.annotation):
                continue
            if any(c.kind == "model" for c in self.types_in(arg.annotation, route.file)):
                out[arg.arg] = arg.annotation
        return out


def _class_defs(body: list[ast.stmt]) -> Iterator[ast.ClassDef]:
    """Class definitions among statements (module level, nested in classes, if/try blocks); no
    expression is visited, which keeps this cheap on large modules."""
    for stmt in body:
        if isinstance(stmt, ast.ClassDef):
            yield stmt
            yield from _class_defs(stmt.body)
        elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith)):
            for block in (getattr(stmt, "body", []), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", []),
                          *(h.body for h in getattr(stmt, "handlers", []))):
                yield from _class_defs(block)


def _is_param_marker(default: ast.expr | None) -> bool:
    return isinstance(default, ast.Call) and (dotted(default.func) or "").rsplit(".", 1)[-1] in _NOT_BODY


def _annotated_marker(annotation: ast.expr) -> bool:
    if isinstance(annotation, ast.Subscript) and (dotted(annotation.value) or "").endswith("Annotated"):
        elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
        return any(_is_param_marker(e) for e in elts[1:])
    return False


def _fields(node: ast.ClassDef) -> Iterator[tuple[str, Field]]:
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        name = stmt.target.id
        outer = stmt.annotation.value if isinstance(stmt.annotation, ast.Subscript) else stmt.annotation
        if name.startswith("_") or name == "model_config" or (dotted(outer) or "").endswith("ClassVar"):
            continue
        yield name, Field(name, stmt.annotation, _required(stmt.value), stmt.lineno, stmt.value)


def _required(value: ast.expr | None) -> bool:
    if value is None:
        return True
    if isinstance(value, ast.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] == "Field":
        if keyword(value, "default") is not None or keyword(value, "default_factory") is not None:
            return False
        return not value.args or (isinstance(value.args[0], ast.Constant) and value.args[0].value is Ellipsis)
    return isinstance(value, ast.Constant) and value.value is Ellipsis


def _members(node: ast.ClassDef) -> Iterator[tuple[str, int]]:
    for stmt in node.body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name) and not t.id.startswith("_"):
                    yield t.id, stmt.lineno
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            yield stmt.target.id, stmt.lineno


class TypeShape(ast.NodeTransformer):
    """A type expression with typing spellings folded (``Optional[X]`` == ``X | None``, ``List`` ==
    ``list``), model/enum names replaced by a placeholder and Literal values dropped."""

    def __init__(self, surface: ApiSurface, near: str) -> None:
        self.surface, self.near = surface, near

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if self.surface.resolve(node.id, self.near) is not None:
            return ast.Name("<type>")
        return ast.Name(_TYPING_ALIASES.get(node.id, node.id))

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if dotted(node) and dotted(node).startswith(("typing.", "t.")):  # type: ignore[union-attr]
            return self.visit(ast.Name(node.attr))
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        head = (dotted(node.value) or "").rsplit(".", 1)[-1]
        if head == "Literal":
            return ast.Name("Literal")
        if head == "Annotated":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return self.visit(elts[0])
        if head in ("Optional", "Union"):
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if head == "Optional":
                elts = [*elts, ast.Constant(None)]
            return ast.Name(" | ".join(sorted(ast.unparse(self.visit(e)) for e in elts)))
        return self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if isinstance(node.op, ast.BitOr):
            parts: list[str] = []
            stack: list[ast.AST] = [node]
            while stack:
                n = stack.pop()
                if isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr):
                    stack += [n.left, n.right]
                else:
                    parts.append(ast.unparse(self.visit(n)))
            return ast.Name(" | ".join(sorted(parts)))
        return self.generic_visit(node)


def shape(expr: ast.expr, surface: ApiSurface, near: str) -> str:
    return ast.unparse(TypeShape(surface, near).visit(copy.deepcopy(expr)))
