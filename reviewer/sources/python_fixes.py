"""Fixes for findings on Python calls, built from the call as written: ``timeout=`` added to the real
call, ``None`` replaced by a bound, a backoff or stop added to the real retry policy.

Edits work on the file's lines with the AST's positions (UTF-8 byte columns): the flagged lines
are copied as they are and only the inserted or replaced text is new, so a call spanning several
lines is re-emitted exactly (its arguments, comments and trailing comma style kept). Where the
text between the last argument and ``)`` holds anything but commas, blanks and comments, or a
name the fix needs is not imported, there is no suggestion.
"""

from __future__ import annotations

import ast
import copy
import re

from reviewer.project import SourceFile
from reviewer.sources.edits import Remedy, dedent_block, indent_of, line_at, remedy
from reviewer.sources.python_ast import PythonModule, dotted, keyword

TIMEOUT = "10"  # seconds; a start the author tunes (connect and read both bounded)


def _char(text: str, byte_col: int) -> int:
    """The character index of an AST byte column in ``text``."""
    return len(text.encode()[:byte_col].decode(errors="replace"))


def _end(lines: list[str], node: ast.AST) -> tuple[int, int]:
    """(line, character column) just after ``node``."""
    last = node.end_lineno or node.lineno  # type: ignore[attr-defined]
    return last, _char(line_at(lines, last) or "", node.end_col_offset or 0)  # type: ignore[attr-defined]


def replace_node(lines: list[str], node: ast.AST, text: str) -> tuple[str, int] | None:
    """Lines ``node.lineno..node.end_lineno`` with the node's source replaced by ``text``: (replacement, last line)."""
    first_line = line_at(lines, node.lineno)  # type: ignore[attr-defined]
    last, end = _end(lines, node)
    last_line = line_at(lines, last)
    if first_line is None or last_line is None:
        return None
    start = _char(first_line, node.col_offset)  # type: ignore[attr-defined]
    return first_line[:start] + text + last_line[end:], last


def add_keyword(lines: list[str], call: ast.Call, text: str) -> tuple[str, int] | None:
    """The call's lines with ``text`` (``timeout=10``) added as its last argument: (replacement, last line).

    Follows the call's own layout: ``f(a)`` -> ``f(a, timeout=10)``; a call whose ``)`` sits on its
    own line gets a line of its own for the new argument, with the trailing comma if it had one."""
    first, last = call.lineno, call.end_lineno or call.lineno
    block = [line_at(lines, n) for n in range(first, last + 1)]
    if any(b is None for b in block):
        return None
    rows: list[str] = list(block)  # type: ignore[arg-type]
    close = _char(rows[-1], call.end_col_offset or 0) - 1
    if close < 0 or rows[-1][close] != ")":
        return None
    args: list[ast.AST] = [*call.args, *call.keywords]
    if not args:
        after = _end(lines, call.func)
        if after[0] != last or rows[-1][after[1]:close].strip() != "(":
            return None
        rows[-1] = rows[-1][:close] + text + rows[-1][close:]
        return "\n".join(rows), last
    last_arg = max(args, key=lambda a: (a.end_lineno, a.end_col_offset))  # type: ignore[attr-defined]
    end_line, end_col = _end(lines, last_arg)
    between = "\n".join([rows[end_line - first][end_col:], *rows[end_line - first + 1:-1], rows[-1][:close]]) \
        if end_line != last else rows[-1][end_col:close]
    code = re.sub(r"#[^\n]*", "", between)
    if code.replace(",", "").strip() or code.count(",") > 1:
        return None
    trailing = "," in code
    own_line = not rows[-1][:close].strip()
    at = end_line - first
    if not own_line:  # f(a, b) / f(a, b,) / f(\n a, b)
        if trailing:
            comma = rows[-1].rindex(",", 0, close)
            rows[-1] = rows[-1][: comma + 1] + " " + text + rows[-1][close:]
        else:
            rows[at] = rows[at][:end_col] + ", " + text + rows[at][end_col:]
        return "\n".join(rows), last
    indent = indent_of(rows[last_arg.lineno - first])  # type: ignore[attr-defined]
    if not trailing:
        rows[at] = rows[at][:end_col] + "," + rows[at][end_col:]
    rows.insert(len(rows) - 1, f"{indent}{text}{',' if trailing else ''}")
    return "\n".join(rows), last


def _with_keyword(call: ast.Call, name: str, value: str) -> str:
    """The call as source with ``name=value`` added or replaced, for a fix that is not a suggestion."""
    new = copy.copy(call)
    new.keywords = [k for k in call.keywords if k.arg != name] + [
        ast.keyword(arg=name, value=ast.parse(value, mode="eval").body)]
    return ast.unparse(new)


def _offer(f: SourceFile, node: ast.AST, edit: tuple[str, int] | None, fix: str) -> Remedy:
    if edit is None:
        return remedy(fix)
    return remedy(dedent_block(edit[0]), edit[0], line=node.lineno, end_line=edit[1])  # type: ignore[attr-defined]


def with_timeout(f: SourceFile, call: ast.Call) -> Remedy:
    """http-call-without-timeout: the same call with a timeout (aiohttp: a ``ClientTimeout``)."""
    mod = f.python
    if mod is None:
        return {}
    func = dotted(call.func) or ""
    value = TIMEOUT
    if func.rsplit(".", 1)[-1] == "ClientSession":
        owner = func.rsplit(".", 1)[0] if "." in func else None
        local = next((n for n, q in mod.imports.names.items() if q == "aiohttp.ClientTimeout"), None)
        value = f"{owner}.ClientTimeout(total={TIMEOUT})" if owner else f"{local or 'aiohttp.ClientTimeout'}" \
            f"(total={TIMEOUT})"
        if owner is None and local is None:
            return remedy(_with_keyword(call, "timeout", value))
    return _offer(f, call, add_keyword(f.lines, call, f"timeout={value}"), _with_keyword(call, "timeout", value))


def keyword_added(f: SourceFile, call: ast.Call, name: str, value: str) -> Remedy:
    """The real call with ``name=value`` added (a suggestion where the call's layout allows one)."""
    return _offer(f, call, add_keyword(f.lines, call, f"{name}={value}"), _with_keyword(call, name, value))


def offloaded_timeout(f: SourceFile, call: ast.Call, name: str, passes: bool) -> Remedy:
    """http-call-without-timeout, in a thread: ``timeout=`` passed through the wrapper, or bound with
    ``functools.partial`` where the wrapper takes no keywords (``run_in_executor``)."""
    if passes:
        return keyword_added(f, call, "timeout", TIMEOUT)
    return remedy(f"functools.partial({name}, timeout={TIMEOUT})  # in place of `{name}` in "
                  f"`{dotted(call.func) or 'the call'}(...)`")


def bound(f: SourceFile, node: ast.AST, value: str = "10.0") -> Remedy:
    """http-timeout-disabled: ``None`` replaced by a bound (``timeout=None`` -> ``timeout=10.0``)."""
    edit = replace_node(f.lines, node, value)
    return _offer(f, node, edit, value) if edit is not None else {}


def backoff(f: SourceFile, node: ast.AST) -> Remedy:
    """http-retry-without-backoff: ``backoff_factor=0`` -> ``0.5`` (0.5, 1, 2 s ... between attempts)."""
    return bound(f, node, "0.5")


# The retry policies the fixes propose, best first: the first whose tenacity helper the module
# already imports (or reaches through ``import tenacity``) becomes a suggestion.
_WAITS = ("wait_exponential_jitter(initial=0.2, max=5)", "wait_random_exponential(multiplier=0.2, max=5)",
          "wait_exponential(multiplier=0.2, max=5)")
_STOPS = ("stop_after_attempt(4)", "stop_after_delay(30)")


def add_wait(f: SourceFile, node: ast.AST) -> Remedy:
    return policy_keyword(f, node, "wait", _WAITS)


def add_stop(f: SourceFile, node: ast.AST) -> Remedy:
    return policy_keyword(f, node, "stop", _STOPS)


def add_backoff(f: SourceFile, node: ast.AST) -> Remedy:
    return policy_keyword(f, node, "backoff_factor", ("0.5",))


def jitter(f: SourceFile, node: ast.AST) -> Remedy:
    return replaced(f, node, "wait", _WAITS)


def attempts(f: SourceFile, node: ast.AST) -> Remedy:
    return replaced(f, node, "stop", _STOPS)


def tenacity_name(mod: PythonModule | None, name: str) -> str | None:
    """How this module can refer to ``tenacity.<name>``: its own import of it, or through the module."""
    if mod is None:
        return None
    local = next((n for n, q in mod.imports.names.items() if q == f"tenacity.{name}"), None)
    if local is not None:
        return local
    module = next((n for n, q in mod.imports.names.items() if q == "tenacity"), None)
    return f"{module}.{name}" if module is not None else None


def _spelled(f: SourceFile, choices: tuple[str, ...]) -> tuple[str, str | None]:
    """(the value to propose, an import line when the module lacks it): the first choice the module can name."""
    for choice in choices:
        helper = re.match(r"[a-z_]+(?=\()", choice)
        if helper is None:
            return choice, None
        local = tenacity_name(f.python, helper.group(0))
        if local is not None:
            return local + choice[helper.end():], None
    helper = re.match(r"[a-z_]+", choices[0])
    return choices[0], f"from tenacity import {helper.group(0) if helper else choices[0]}"


def _decorator(f: SourceFile, node: ast.AST) -> bool:
    parent = f.python.parents.get(node) if f.python is not None else None
    return isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in parent.decorator_list


def policy_keyword(f: SourceFile, node: ast.AST, name: str, choices: tuple[str, ...]) -> Remedy:
    """A retry policy with ``name=`` added: ``@retry`` -> ``@retry(wait=...)``, ``Retry(total=3)`` ->
    ``Retry(total=3, backoff_factor=0.5)``."""
    text, missing = _spelled(f, choices)
    at = "@" if _decorator(f, node) else ""
    if isinstance(node, ast.Call):
        fix = at + _with_keyword(node, name, text)
        edit = add_keyword(f.lines, node, f"{name}={text}") if missing is None else None
    else:
        fix = f"{at}{dotted(node)}({name}={text})"
        single = getattr(node, "end_lineno", None) == getattr(node, "lineno", 0)
        edit = replace_node(f.lines, node, fix[len(at):]) if missing is None and single else None
    return _offer(f, node, edit, fix + (f"\n{missing}" if missing else ""))


def replaced(f: SourceFile, node: ast.AST, name: str, choices: tuple[str, ...]) -> Remedy:
    """A policy value replaced by a bounded one (``wait=wait_none()`` -> ``wait=wait_exponential_jitter(...)``)."""
    text, missing = _spelled(f, choices)
    edit = replace_node(f.lines, node, text) if missing is None else None
    return _offer(f, node, edit, f"{name}={text}" + (f"\n{missing}" if missing else ""))


def idempotency_key(call: ast.Call) -> Remedy:
    """http-retry-non-idempotent: the real call sending an ``Idempotency-Key`` made once per operation."""
    headers = keyword(call, "headers")
    value = "{'Idempotency-Key': idempotency_key}" if headers is None else \
        f"{{**{ast.unparse(headers.value)}, 'Idempotency-Key': idempotency_key}}"
    return remedy("idempotency_key = str(uuid.uuid4())  # once per operation, outside the retried function\n"
                  + _with_keyword(call, "headers", value))


def default_methods(f: SourceFile, policy: ast.Call, node: ast.AST, arg: str) -> Remedy:
    """http-retry-non-idempotent (urllib3): retry only the methods urllib3 deems idempotent."""
    owner = dotted(policy.func) or "Retry"
    constant = "DEFAULT_ALLOWED_METHODS" if arg == "allowed_methods" else "DEFAULT_METHOD_WHITELIST"
    return _offer(f, node, replace_node(f.lines, node, f"{owner}.{constant}"), f"{arg}={owner}.{constant}")


CA_BUNDLE = '"/etc/ssl/certs/internal-ca.pem"'  # where the CA that signed the service's certificate lives


def verified(call: ast.Call, arg: str) -> Remedy:
    """http-tls-verify-disabled: the real call trusting the internal CA instead of nothing."""
    value = CA_BUNDLE if arg == "verify" else f"ssl.create_default_context(cafile={CA_BUNDLE})"
    return remedy(f"# trust the CA that signed the service's certificate\n{_with_keyword(call, arg, value)}")


def _ident(name: str) -> str:
    return re.sub(r"\W", "_", name).strip("_").lower() or "service"


def breakers(caller: str, targets: list[str]) -> Remedy:
    """http-no-circuit-breaker: one breaker per service this one calls, named after it."""
    lines = ["from datetime import timedelta", "", "from aiobreaker import CircuitBreaker", ""]
    lines += [f"{_ident(t)}_breaker = CircuitBreaker(fail_max=5, timeout_duration=timedelta(seconds=30))"
              for t in targets]
    first = _ident(targets[0]) if targets else "service"
    lines += ["", f"@{first}_breaker  # every call `{caller}` makes to `{targets[0] if targets else first}`",
              f"async def call_{first}(method: str, path: str, **kwargs) -> httpx.Response:",
              f"    resp = await client.request(method, f\"{{settings.{first}_url}}{{path}}\", **kwargs)",
              "    resp.raise_for_status()", "    return resp"]
    return remedy("\n".join(lines))


def service_url(host: str, port: int | None) -> Remedy:
    """http-hardcoded-service-url: the address read from settings, named after the service."""
    name = _ident(host)
    written = f"http://{host}{f':{port}' if port else ''}"
    return remedy("\n".join([
        "class Settings(BaseSettings):",
        f"    {name}_url: AnyHttpUrl  # {name.upper()}_URL, set in compose / the Deployment ({written} there)",
        "", "settings = Settings()",
        f"resp = await client.get(f\"{{settings.{name}_url}}/...\")"]))
