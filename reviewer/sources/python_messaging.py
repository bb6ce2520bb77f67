"""Message consumers and background tasks, as the messaging rules read them.

A *consumer loop* is a loop that pulls messages from a broker: a ``while`` loop whose body calls
SQS ``receive_message``, Kafka ``poll``/``consume``/``getmany`` or Redis ``xread``/``xreadgroup``;
or a ``for``/``async for`` over a Kafka consumer, an aio-pika ``queue.iterator()`` or pika's
``channel.consume()``. Message callbacks (pika ``basic_consume``, aio-pika ``queue.consume``) are
read like a message loop's body. The loop's
*message loops* are the loops that walk the received messages (the consumer loop itself when it
iterates messages, else the ``for`` loops inside it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.sources.python_ast import FunctionNode, PythonModule, dotted, keyword, own_nodes, walk_own_body

CONSUMER_FACTORIES = frozenset({"KafkaConsumer", "AIOKafkaConsumer", "Consumer"})
_LOG_RECEIVERS = frozenset({"log", "logger", "logging", "_log", "_logger", "LOG", "LOGGER", "structlog"})
Loop = ast.For | ast.AsyncFor | ast.While


@dataclass(frozen=True)
class ConsumerLoop:
    loop: Loop
    broker: str  # "SQS", "Kafka", "RabbitMQ", "Redis streams"

    @property
    def line(self) -> int:
        return self.loop.lineno


def _attr(call: ast.AST) -> str:
    return call.func.attr if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) else ""


def _receiver(call: ast.Call) -> str:
    return (dotted(call.func.value) or "") if isinstance(call.func, ast.Attribute) else ""


def _calls(stmts: list[ast.stmt] | ast.AST) -> Iterator[ast.Call]:
    roots = stmts if isinstance(stmts, list) else [stmts]
    for root in roots:
        if isinstance(root, ast.Call):
            yield root
        for node in walk_own_body(ast.Module(body=[root], type_ignores=[])) if isinstance(root, ast.stmt) else []:
            if isinstance(node, ast.Call):
                yield node


def _broker_of_receive(call: ast.Call) -> str | None:
    name = _attr(call)
    if name in ("receive_message", "receive_messages"):  # the client API, the resource API
        return "SQS"
    if name in ("xread", "xreadgroup"):
        return "Redis streams"
    if name in ("poll", "consume", "getmany") and "consumer" in _receiver(call).lower():
        return "Kafka"
    return None


def _wrapped_receive(mod: PythonModule, call: ast.Call) -> str | None:
    """The broker of a module function (or method) the loop calls to receive: ``poll_messages()``."""
    fn = mod.functions.get((dotted(call.func) or "").rsplit(".", 1)[-1])
    if fn is None:
        return None
    return next((b for n in walk_own_body(fn) if isinstance(n, ast.Call) and (b := _broker_of_receive(n))), None)


def _consumer_names(mod: PythonModule) -> set[str]:
    """Variables (and attributes) assigned a Kafka consumer."""
    names = set()
    for node in mod.nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            factory = (mod.imports.qualify(node.value.func) or "").rsplit(".", 1)[-1]
            if factory in CONSUMER_FACTORIES:
                names |= {n for t in node.targets if (n := dotted(t))}
    return names


def _iterated_broker(mod: PythonModule, loop: ast.For | ast.AsyncFor, consumers: set[str]) -> str | None:
    it = loop.iter
    if isinstance(it, ast.Call) and _attr(it) == "iterator":
        return "RabbitMQ"
    if isinstance(it, ast.Call) and _attr(it) == "consume":  # pika's ``channel.consume(queue)`` generator
        return "Kafka" if "consumer" in _receiver(it).lower() else "RabbitMQ"
    name = dotted(it) or ""
    if name in consumers or name.rsplit(".", 1)[-1].lower() in ("consumer", "kafka_consumer"):
        return "Kafka"
    if isinstance(loop, ast.AsyncFor) and name in _iterator_vars(mod):
        return "RabbitMQ"
    return None


def _iterator_vars(mod: PythonModule) -> set[str]:
    """Names bound by ``async with queue.iterator() as it``."""
    out = set()
    for node in mod.nodes:
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                if _attr(item.context_expr) == "iterator" and isinstance(item.optional_vars, ast.Name):
                    out.add(item.optional_vars.id)
    return out


def consumer_loops(mod: PythonModule) -> list[ConsumerLoop]:
    """The message loops of a module, found once (two rules ask)."""
    cached = mod.__dict__.get("_arch_consumer_loops")
    if cached is None:
        cached = mod.__dict__["_arch_consumer_loops"] = _consumer_loops(mod)
    return cached


def _consumer_loops(mod: PythonModule) -> list[ConsumerLoop]:
    consumers = _consumer_names(mod)
    out: list[ConsumerLoop] = []
    for node in mod.nodes:
        if isinstance(node, ast.While):
            brokers = [b for c in _calls(node.body) if (b := _broker_of_receive(c) or _wrapped_receive(mod, c))]
            if brokers:
                out.append(ConsumerLoop(node, brokers[0]))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            broker = _iterated_broker(mod, node, consumers)
            if broker:
                out.append(ConsumerLoop(node, broker))
    # a loop nested in another consumer loop is part of it (one finding per worker loop)
    inner = {id(n) for c in out for n in walk_own_body(c.loop) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))}
    return [c for c in out if id(c.loop) not in inner]


def _reraises(handler: ast.ExceptHandler) -> bool:
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)


def _receives(mod: PythonModule, call: ast.Call) -> bool:
    return _broker_of_receive(call) is not None or _wrapped_receive(mod, call) is not None


def _isolating_try(mod: PythonModule, node: ast.AST) -> bool:
    """A try whose handlers swallow (log, nack, dead-letter) instead of re-raising, around more
    than the receive call itself."""
    if not isinstance(node, ast.Try | ast.TryStar) or not node.handlers:
        return False
    if all(_reraises(h) for h in node.handlers):
        return False
    return any(not _receives(mod, c) and not is_log_call(c) for c in _calls(node.body))


def _guarded_function(mod: PythonModule, call: ast.Call) -> bool:
    """A call to a module function whose whole body is one isolating try (the handler guards itself)."""
    fn = mod.functions.get((dotted(call.func) or "").rsplit(".", 1)[-1])
    if fn is None:
        return False
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return len(body) == 1 and _isolating_try(mod, body[0])


def is_isolated(mod: PythonModule, c: ConsumerLoop) -> bool:
    """Does one bad message (or one network error) leave the loop running?"""
    body_nodes = list(walk_own_body(c.loop))
    if any(_isolating_try(mod, n) for n in body_nodes):
        return True
    handling = [n for n in body_nodes if isinstance(n, ast.Call) and not is_log_call(n) and not _receives(mod, n)]
    return bool(handling) and any(_guarded_function(mod, n) for n in handling)


def is_log_call(call: ast.Call) -> bool:
    name = dotted(call.func) or ""
    return name == "print" or name.split(".", 1)[0] in _LOG_RECEIVERS


def message_loops(c: ConsumerLoop) -> list[ast.For | ast.AsyncFor]:
    """The loops that walk single messages: the consumer loop itself, or the ``for`` loops in it."""
    if isinstance(c.loop, ast.For | ast.AsyncFor):
        return [c.loop]
    return [n for n in walk_own_body(c.loop) if isinstance(n, ast.For | ast.AsyncFor)]


def loop_names(loop: ast.For | ast.AsyncFor) -> set[str]:
    """The message variable and the names assigned from it inside the loop."""
    names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    for node in walk_own_body(loop):
        if isinstance(node, ast.Assign) and _mentions(node.value, names):
            names |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def ack_call(call: ast.Call, message_names: set[str]) -> str | None:
    """``delete_message`` / ``message.ack()`` / ``consumer.commit()`` / ``xack``: the message is done."""
    name, receiver = _attr(call), _receiver(call)
    if name in ("delete_message", "delete_message_batch", "xack", "basic_ack"):
        return name
    if name in ("ack", "delete") and receiver.split(".", 1)[0] in message_names:  # aio-pika; SQS resource
        return name
    if name == "commit" and "consumer" in receiver.lower():
        return name
    return None


def processing_call(call: ast.Call, message_names: set[str]) -> bool:
    """A call that hands the message (or something read from it) to code that does the work."""
    if is_log_call(call) or ack_call(call, message_names):
        return False
    args = [*call.args, *(kw.value for kw in call.keywords)]
    return any(_mentions(a, message_names) for a in args)


def blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list under ``node`` (its own scope only)."""
    for n in [node, *walk_own_body(node)]:
        for attr in ("body", "orelse", "finalbody"):
            stmts = getattr(n, attr, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                yield stmts
        for h in getattr(n, "handlers", []):
            yield h.body


def consumer_callbacks(mod: PythonModule) -> list[FunctionNode]:
    """Module functions registered as message callbacks: pika ``basic_consume(queue, cb)`` /
    ``on_message_callback=cb``, aio-pika ``queue.consume(cb)``."""
    out: dict[int, FunctionNode] = {}
    for node in mod.nodes:
        name = _attr(node)
        if name not in ("basic_consume", "consume") or not isinstance(node, ast.Call):
            continue
        kw = keyword(node, "on_message_callback") or keyword(node, "callback")
        index = 1 if name == "basic_consume" else 0
        target = kw.value if kw is not None else (node.args[index] if len(node.args) > index else None)
        fn = mod.functions.get((dotted(target) or "").rsplit(".", 1)[-1]) if target is not None else None
        if fn is not None:
            out[id(fn)] = fn
    return list(out.values())


def callback_names(fn: FunctionNode) -> set[str]:
    """A callback's message parameters (``ch, method, properties, body`` / ``message``) and what is read from them."""
    names = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args] if a.arg not in ("self", "cls")}
    for node in walk_own_body(fn):
        if isinstance(node, ast.Assign) and _mentions(node.value, names):
            names |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def early_acks(scope: ast.AST, names: set[str]) -> Iterator[tuple[ast.Call, str]]:
    """Ack calls followed, in the same block, by a statement that processes the message."""
    seen: set[int] = set()
    for stmts in blocks(scope):
        for i, stmt in enumerate(stmts):
            acks = [(c, n) for c in _calls([stmt]) if (n := ack_call(c, names))]
            if not acks or isinstance(stmt, ast.For | ast.AsyncFor | ast.While | ast.If | ast.Try):
                continue
            later = [c for s in stmts[i + 1:] for c in _calls([s])]
            if any(processing_call(c, names) for c in later):
                for call, name in acks:
                    if id(call) not in seen:
                        seen.add(id(call))
                        yield call, name


def celery_tasks(mod: PythonModule) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Call]]:
    """(task function, decorator call) for ``@app.task(...)`` / ``@shared_task(...)``."""
    for fn in mod.functions.values():
        for dec in fn.decorator_list:
            if isinstance(dec, ast.Call):
                name = (mod.imports.qualify(dec.func) or dotted(dec.func) or "").rsplit(".", 1)[-1]
                if name in ("task", "shared_task"):
                    yield fn, dec


def retry_calls(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.Call]:
    """``self.retry(...)`` / ``raise self.retry(...)`` in a bound task."""
    first = fn.args.args[0].arg if fn.args.args else None
    for node in own_nodes(fn):
        if isinstance(node, ast.Call) and _attr(node) == "retry" and _receiver(node) == first:
            yield node


def is_none(call: ast.Call, name: str) -> bool:
    value = retry_option(call, name)
    return isinstance(value, ast.Constant) and value.value is None


def retry_option(dec: ast.Call, name: str) -> ast.AST | None:
    """A retry setting of a task decorator: ``max_retries=`` or inside ``retry_kwargs={...}``."""
    kw = keyword(dec, name)
    if kw is not None:
        return kw.value
    extra = keyword(dec, "retry_kwargs")
    if extra is not None and isinstance(extra.value, ast.Dict):
        for k, v in zip(extra.value.keys, extra.value.values, strict=True):
            if isinstance(k, ast.Constant) and k.value == name:
                return v
    return None


def never_retries(dec: ast.Call) -> bool:
    """``autoretry_for=()`` or ``max_retries=0``: the task does not retry at all."""
    errors = keyword(dec, "autoretry_for")
    empty = errors is not None and isinstance(errors.value, ast.Tuple | ast.List) and not errors.value.elts
    limit = retry_option(dec, "max_retries")
    return empty or (isinstance(limit, ast.Constant) and limit.value == 0)
