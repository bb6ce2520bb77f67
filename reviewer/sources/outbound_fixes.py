"""Fixes for the outbound-call findings (gRPC deadlines, boto3 timeouts, clients never closed,
sequential fan-out), in the finding's own names. Suggestions only where the edit is one keyword
added to the real call; the rest are snippets the author adapts."""

from __future__ import annotations

import ast

from reviewer.project import SourceFile
from reviewer.sources.edits import Remedy, dedent_block, remedy
from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, keyword
from reviewer.sources.python_fixes import add_keyword, keyword_added

GRPC_DEADLINE = "5.0"  # seconds; a start the author tunes to the callee's latency budget
_CLOSE = {"httpx.AsyncClient": "await {name}.aclose()", "httpx.Client": "{name}.close()",
          "aiohttp.ClientSession": "await {name}.close()"}


def deadline(f: SourceFile, call: ast.Call) -> Remedy:
    """grpc-call-without-deadline: the same call with ``timeout=`` (seconds, gRPC's deadline)."""
    return keyword_added(f, call, "timeout", GRPC_DEADLINE)


def _local(mod: PythonModule | None, qual: str) -> str | None:
    if mod is None:
        return None
    return next((n for n, q in mod.imports.names.items() if q == qual), None)


_AWS_LIMITS = 'connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}'


def boto3_config(f: SourceFile, call: ast.Call) -> Remedy:
    """boto3-client-without-timeouts: a botocore ``Config`` with timeouts and bounded retries, passed
    to the real call (a suggestion when the module already imports ``Config``), or the limits added
    to the ``Config(...)`` the call already passes."""
    given = keyword(call, "config")
    if given is not None:
        if not isinstance(given.value, ast.Call):
            return remedy(f"{ast.unparse(given.value)} = Config({_AWS_LIMITS})")
        edit = add_keyword(f.lines, given.value, _AWS_LIMITS)
        text = ast.unparse(given.value)[:-1] + (", " if given.value.args or given.value.keywords else "") + \
            _AWS_LIMITS + ")"
        if edit is None:
            return remedy(text)
        return remedy(dedent_block(edit[0]), edit[0], line=given.value.lineno, end_line=edit[1])
    local = _local(f.python, "botocore.config.Config")
    name = local or "Config"
    value = f"{name}({_AWS_LIMITS})"
    made = keyword_added(f, call, "config", value)
    if local is None:
        return remedy("from botocore.config import Config\n\n" + made["fix"])
    return made


def closed_client(ctor: str, name: str, where: str, fn: FunctionNode | None) -> Remedy:
    """http-client-never-closed: the client entered as a context manager, or closed on shutdown."""
    short = ctor.rsplit(".", 1)[-1]
    opened = f"async with {ctor}(...) as {name}:" if ctor != "httpx.Client" else f"with {ctor}(...) as {name}:"
    if where == "function" and fn is not None:
        return remedy(f"# in `{fn.name}`: close the {short} when done\n{opened}\n    ...  # use `{name}` here")
    close = _CLOSE.get(ctor, "await {name}.aclose()").format(name=name)
    return remedy("\n".join([
        "@asynccontextmanager", "async def lifespan(app: FastAPI):",
        f"    {opened.replace(f' as {name}:', ' as client:')}  # closed on shutdown",
        "        app.state.http = client", "        yield", "", "app = FastAPI(lifespan=lifespan)",
        f"# or, keeping `{name}`: `{close}` in the shutdown half of the lifespan"]))


def gathered(mod: PythonModule, loop: ast.For, call: ast.Call) -> Remedy:
    """http-sequential-fan-out: the same calls run concurrently, bounded, under one overall timeout."""
    target = ast.unparse(loop.target).strip("()")  # "item", or "sku, qty" for a tuple
    items = ast.unparse(loop.iter)
    sent = ast.unparse(call)
    func = dotted(call.func) or "call"
    return remedy("\n".join([
        "sem = asyncio.Semaphore(10)  # at most 10 calls in flight", "",
        f"async def one({target}):", "    async with sem:", f"        return await {sent}", "",
        "async with asyncio.timeout(5):  # one budget for the whole fan-out (Python 3.11+)",
        f"    results = await asyncio.gather(*(one({target}) for {target} in {items}), return_exceptions=True)",
        f"# then handle the exceptions among `results`: one failed `{func}()` need not fail the request"]))
