"""FastAPI security settings: CORS with credentials, JWT verification, hard-coded secrets, debug mode."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator

from reviewer.classify import FileKind, is_test_path
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources import fastapi_fixes as fx
from reviewer.sources.fastapi_routes import app_names
from reviewer.sources.python_ast import PythonModule, const_str, dotted, has_star_kwargs, imported_name, keyword, nodes
from reviewer.sources.secrets import is_placeholder, url_password, user_of

_PROBE_ORIGIN = "https://attacker.example"


def _module_literal(mod: PythonModule, node: ast.AST | None) -> object:
    """The value of a literal, or of a module-level name bound once to a literal; None otherwise."""
    if isinstance(node, ast.Name):
        values = [n.value for n in mod.tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None
                  and any(isinstance(t, ast.Name) and t.id == node.id
                          for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
        node = values[0] if len(values) == 1 else None
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _matches_any_origin(pattern: object) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        return re.fullmatch(pattern, _PROBE_ORIGIN) is not None
    except re.error:
        return False


@rule("fastapi-cors-wildcard-credentials", kinds={FileKind.PYTHON}, category=Category.SECURITY,
      severity=Severity.ERROR, equivalents=("wildcard-cors",))
def cors_wildcard_credentials(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """CORS allows any origin together with credentials

    Why: with `allow_credentials=True`, Starlette answers a `*` origin by echoing the caller's own
    `Origin` back (`starlette/middleware/cors.py`), so any website a user visits can make
    authenticated requests with their cookies and read the responses.

    Fix:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["https://app.example.com", "https://admin.example.com"],
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    """
    mod = f.python if "CORSMiddleware" in f.text else None
    if mod is None:
        return
    for node in nodes(mod, ast.Call):
        target = node.func if (dotted(node.func) or "").endswith("CORSMiddleware") else (
            node.args[0] if node.args else None)
        if target is None or not (dotted(target) or "").endswith("CORSMiddleware"):
            continue
        creds = keyword(node, "allow_credentials")
        if creds is None or _module_literal(mod, creds.value) is not True:
            continue
        origins, regex = keyword(node, "allow_origins"), keyword(node, "allow_origin_regex")
        value = _module_literal(mod, origins.value) if origins else None
        if value == "*" or (isinstance(value, (list, tuple, set)) and "*" in value):
            yield Hit(origins.value.lineno, "`allow_origins` contains \"*\" and `allow_credentials=True`",
                      **fx.cors_origins(node, regex=False))
        elif regex is not None and _matches_any_origin(_module_literal(mod, regex.value)):
            yield Hit(regex.value.lineno, "`allow_origin_regex` matches every origin and `allow_credentials=True`",
                      **fx.cors_origins(node, regex=True))


_JWT_DECODE = {"jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jwt.api_jwt.decode_complete",
               "jose.jwt.decode"}


def _jwt_problem(mod: PythonModule, call: ast.Call) -> tuple[int, str] | None:
    options = keyword(call, "options")
    opts = _module_literal(mod, options.value) if options else None
    if isinstance(opts, dict) and opts.get("verify_signature") is False:
        return options.value.lineno, "`options={\"verify_signature\": False}` accepts forged tokens"
    verify = keyword(call, "verify")
    if verify is not None and _module_literal(mod, verify.value) is False:
        return verify.value.lineno, "`verify=False` accepts forged tokens"
    algs = keyword(call, "algorithms")
    node = algs.value if algs else (call.args[2] if len(call.args) >= 3 else None)
    value = _module_literal(mod, node)
    names = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple, set)) else []
    if any(isinstance(a, str) and a.lower() == "none" for a in names):
        return node.lineno, "`\"none\"` is an allowed algorithm: unsigned tokens pass"
    if (node is None and not has_star_kwargs(call)) or (isinstance(node, ast.Constant) and node.value is None):
        return call.lineno, "no `algorithms=`: the token's own header chooses how it is checked"
    return None


@rule("fastapi-jwt-verification-disabled", kinds={FileKind.PYTHON}, category=Category.SECURITY,
      severity=Severity.ERROR, equivalents=("unverified-jwt-decode", "jwt-none-alg", "jwt-python-none-alg"))
def jwt_verification_disabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """JWT decoded without verifying its signature or algorithm

    Why: a token whose signature is not checked, or whose algorithm list allows `none` (or is
    left to the token header), can be forged by anyone: change `sub` to an admin id and the
    service believes it.

    Fix:
        payload = jwt.decode(
            token,
            settings.jwt_public_key,
            algorithms=["RS256"],
            audience="orders-api",
        )
    """
    mod = f.python if "jwt" in f.text else None
    if mod is None:
        return
    decodes = [(n, _jwt_problem(mod, n)) for n in nodes(mod, ast.Call) if imported_name(mod, n.func) in _JWT_DECODE]
    verified = any(problem is None for _, problem in decodes)
    for node, problem in decodes:
        if problem is not None and not (verified and _peeks_at_routing_claims(mod, node)):
            yield Hit(*problem, **fx.verified_decode(mod, node))


_ROUTING_CLAIMS = {"aud", "iss", "kid", "typ", "alg", "token_type", "type"}


def _peeks_at_routing_claims(mod: PythonModule, call: ast.Call) -> bool:
    """``claims = jwt.decode(token, options={"verify_signature": False})`` read only for ``aud``/``iss``
    to choose the verifier, in a module that verifies tokens with another decode: a peek, not trust."""
    parent = mod.parents.get(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    name, scope = parent.targets[0].id, parent
    while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        scope = mod.parents.get(scope)
    uses = [n for n in ast.walk(scope or mod.tree) if isinstance(n, ast.Name) and n.id == name and n is not
            parent.targets[0]]
    return bool(uses) and all(_claim_read(mod, n) in _ROUTING_CLAIMS for n in uses)


def _claim_read(mod: PythonModule, name: ast.Name) -> str | None:
    """``x.get("aud")`` or ``x["aud"]``: the claim read from ``x``; None for any other use."""
    parent = mod.parents.get(name)
    if isinstance(parent, ast.Subscript):
        return const_str(parent.slice)
    if isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = mod.parents.get(parent)
        return const_str(call.args[0]) if isinstance(call, ast.Call) and call.args else None
    return None


_TOKEN = re.compile(r"(?<![A-Za-z0-9])(sk_live_[0-9A-Za-z]{10,}|rk_live_[0-9A-Za-z]{10,}|(AKIA|ASIA)[0-9A-Z]{16}|"
                    r"gh[pousr]_[0-9A-Za-z]{30,}|github_pat_[0-9A-Za-z_]{30,}|xox[abposr]-[0-9A-Za-z-]{10,}|"
                    r"sk-ant-[0-9A-Za-z_-]{20,})(?![A-Za-z0-9])")
_PLACEHOLDER = re.compile(r"(?i)change.?me|^your[-_ ]|[-_ ]here$|example|placeholder|replace.?me|dummy|fake|redacted|"
                          r"^(test|mock|sample)[-_]|"
                          r"x{4,}|\*{3,}|^<.*>$|\$\{|\{\{|^\$[A-Z_]+$|^%\(")
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SECRET_WORDS = {"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "passphrase"}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key"), ("secret", "key"),
                 ("encryption", "key"), ("auth", "key"), ("client", "secret"), ("jwt", "key"), ("master", "key")}
_NOT_SECRET_SUFFIX = {"header", "name", "url", "uri", "endpoint", "path", "field", "env", "var", "prefix", "type",
                      "alg", "algorithm", "algorithms", "file", "param", "cookie", "msg", "message", "error", "detail",
                      "length", "len", "expire", "expires", "minutes", "seconds", "ttl", "scheme", "location", "label",
                      "regex", "pattern", "id", "kind", "mode", "format", "description", "title", "help", "hint",
                      "policy", "version", "route", "tag", "scope", "scopes", "audience", "issuer", "hash",
                      "template", "dir", "column", "table", "attr", "attribute", "model", "schema", "method", "methods",
                      "event", "status", "state", "reason", "query", "lifetime", "size", "count"}
_PLACEHOLDER_NAME = {"fake", "dummy", "example", "sample", "mock", "test"}
_GETENV = {"os.getenv", "os.environ.get", "os.environ.setdefault"}
_JWT_KEYED = {"jwt.encode", "jose.jwt.encode", *_JWT_DECODE}


def _secret_name(name: str) -> bool:
    words = [w.lower() for w in _NAME_WORDS.findall(name)]
    if not words or words[-1] in _NOT_SECRET_SUFFIX or _PLACEHOLDER_NAME & set(words):
        return False
    return bool(_SECRET_WORDS & set(words)) or any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _names_itself(name: str, text: str) -> bool:
    """``ACCESS_TOKEN = "polar_access_token"`` or ``CSRF_TOKEN_KEY = "csrftoken"``: a label that names
    the secret (an enum value, a cookie or dict key), not the secret itself."""
    value, label = re.sub(r"[^a-z0-9]", "", text.lower()), re.sub(r"[^a-z0-9]", "", name.lower())
    return value in label or value.endswith(label)


def _secret_value(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 8 or any(c.isspace() for c in text) or _PLACEHOLDER.search(text):
        return False
    looks_like_name = re.fullmatch(r"[A-Z][A-Z0-9_]*|[xX]-[\w-]+|/[\w/{}.-]*|https?://[^@\s]*", text)
    return looks_like_name is None


def _literal_default(node: ast.AST | None) -> ast.AST | None:
    """The literal of ``x = "..."``, ``Field("...")``, ``Field(default="...")`` or ``SecretStr("...")``."""
    if isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] in ("Field", "SecretStr"):
        kw = keyword(node, "default")
        return kw.value if kw else (node.args[0] if node.args else None)
    return node


def _enclosing_scope(mod: PythonModule, node: ast.AST) -> ast.AST | None:
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                                         ast.AsyncFunctionDef, ast.Lambda)):
        parent = mod.parents.get(parent)
    return parent


def _named_literals(mod: PythonModule) -> Iterator[tuple[str, ast.AST | None]]:
    """(name, value) for module/class assignments, default arguments and call keywords."""
    for node in nodes(mod, ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Call):
        scope = _enclosing_scope(mod, node) if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(scope, ast.ClassDef) and any("Enum" in (dotted(b) or "") for b in scope.bases):
            continue  # enum members are labels
        if isinstance(scope, (ast.Module, ast.ClassDef)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                name = dotted(t)
                if name:
                    yield name.rsplit(".", 1)[-1], _literal_default(node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            yield from ((a.arg, d) for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults,
                                                  strict=True))
            yield from ((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None)
        elif isinstance(node, ast.Call):
            yield from ((kw.arg, kw.value) for kw in node.keywords if kw.arg)
            name = imported_name(mod, node.func)
            if name in _GETENV and len(node.args) >= 2 and isinstance(const_str(node.args[0]), str):
                yield const_str(node.args[0]) or "", node.args[1]
            elif name in _JWT_KEYED and len(node.args) >= 2:
                yield "jwt_secret", node.args[1]


_DOC_KEYWORDS = {"example", "examples", "description", "help", "json_schema_extra", "openapi_examples", "summary"}


def _documentation(mod: PythonModule, node: ast.AST) -> bool:
    """A literal inside ``Field(examples=[...])``, ``description=`` and the like documents, not configures."""
    parent = mod.parents.get(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.keyword) and parent.arg in _DOC_KEYWORDS:
            return True
        parent = mod.parents.get(parent)
    return False


def _docstrings(mod: PythonModule) -> set[int]:
    out = set()
    for node in [mod.tree, *nodes(mod, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)]:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
                body[0].value, ast.Constant):
            out.add(id(body[0].value))
    return out


def _secrets(mod: PythonModule) -> Iterator[tuple[int, str]]:
    named = [(name, value, const_str(value)) for name, value in _named_literals(mod)]
    env = {name: text for name, _, text in named if text is not None}  # db_user next to db_password
    for name, value, text in named:
        if text is not None and _secret_name(name) and _secret_value(text) and not _names_itself(name, text) \
                and not is_placeholder(text, user_of(name, env)):
            yield value.lineno, f"`{name}` is set to a literal"  # type: ignore[union-attr]
    docstrings = _docstrings(mod)
    for node in nodes(mod, ast.Constant):
        text = const_str(node)
        if text is None or len(text) < 8 or id(node) in docstrings or _documentation(mod, node):
            continue
        token = _TOKEN.search(text)
        if token and not _PLACEHOLDER.search(token.group(0)) and not is_placeholder(token.group(0)):
            yield node.lineno, f"a literal `{token.group(0)[:8]}…` credential"
        password = url_password(text)
        if password and not _PLACEHOLDER.search(password) and not isinstance(mod.parents.get(node), ast.JoinedStr):
            yield node.lineno, "a connection URL with a literal password"


@rule("fastapi-hardcoded-secret", kinds={FileKind.PYTHON}, category=Category.SECURITY, severity=Severity.ERROR,
      equivalents=("S105", "S106", "S107", "jwt-python-hardcoded-secret"))
def hardcoded_secret(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Secret hard-coded in source

    Why: a literal key, password or token is in every clone, fork, image layer and CI log of the
    repository, cannot be rotated without a deploy, and is shared by every environment. A
    `BaseSettings` default has the same effect: production silently runs with it when the
    variable is missing.

    Fix:
        class Settings(BaseSettings):
            jwt_secret: SecretStr          # no default: startup fails when JWT_SECRET is unset
            database_url: PostgresDsn

        settings = Settings()
    """
    mod = f.python
    if mod is None or is_test_path(f.path):
        return
    for line, detail in _secrets(mod):
        yield Hit(line, detail, **fx.secret_from_env(f, line))


_DEV_ONLY = re.compile(r"(?i)\bdev|develop|\blocal")


def _dev_only(mod: PythonModule, node: ast.AST) -> bool:
    """Under ``if __name__ == "__main__"``, or in a function that says it is for development
    (``def run_dev_server``, ``@cli.command("develop")``, a docstring "for local development")."""
    parent = mod.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If) and "__main__" in ast.unparse(parent.test) and "__name__" in ast.unparse(
                parent.test):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            said = " ".join([parent.name.replace("_", " "), *(ast.unparse(d) for d in parent.decorator_list),
                             ast.get_docstring(parent) or ""])
            if _DEV_ONLY.search(said):
                return True
        parent = mod.parents.get(parent)
    return False


@rule("fastapi-debug-enabled", kinds={FileKind.PYTHON}, category=Category.SECURITY, severity=Severity.WARNING,
      equivalents=("debug-enabled",))
def debug_enabled(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Debug mode or auto-reload enabled in application code

    Why: `FastAPI(debug=True)` returns full tracebacks, with source lines and local values, to
    any client that triggers an error. `uvicorn.run(reload=True)` outside a `__main__` guard
    ships the file watcher into production: extra CPU, a single worker and restarts on any write.

    Fix:
        app = FastAPI(debug=settings.debug)  # False unless DEBUG=1 in a dev environment

        if __name__ == "__main__":
            uvicorn.run("app.main:app", host="0.0.0.0", port=8000, reload=True)
    """
    mod = f.python if "debug" in f.text or "reload" in f.text else None
    if mod is None:
        return
    for node in nodes(mod, ast.Call, ast.Assign):
        if isinstance(node, ast.Call):
            name = imported_name(mod, node.func) or ""
            debug = keyword(node, "debug")
            if name.rsplit(".", 1)[-1] in ("FastAPI", "Starlette") and debug and _module_literal(
                    mod, debug.value) is True:
                yield Hit(debug.value.lineno, f"`{name.rsplit('.', 1)[-1]}(debug=True)` sends tracebacks to clients",
                          **fx.debug_off(f, debug.value, "debug"))
            reload = keyword(node, "reload")
            if name == "uvicorn.run" and reload and _module_literal(mod, reload.value) is True and not \
                    _dev_only(mod, node):
                yield Hit(reload.value.lineno, "`uvicorn.run(reload=True)` runs outside `if __name__ == \"__main__\"`",
                          **fx.debug_off(f, reload.value, "reload"))
        elif isinstance(node, ast.Assign) and _module_literal(mod, node.value) is True:
            for t in node.targets:
                name = dotted(t) or ""
                if name.endswith(".debug") and name.rsplit(".", 1)[0] in app_names(mod):
                    yield Hit(node.lineno, f"`{name} = True` sends tracebacks to clients",
                              **fx.debug_off(f, node.value, name))
