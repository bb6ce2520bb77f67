"""Messaging and background work: consumer loops that die on one bad message, messages acknowledged
before the work is done, Celery retries with no bound or no backoff."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.classify import FileKind
from reviewer.model import Category, Severity
from reviewer.project import SourceFile
from reviewer.rules.registry import Hit, RuleContext, rule
from reviewer.sources.python_ast import dotted, keyword
from reviewer.sources.python_messaging import (
    callback_names,
    celery_tasks,
    consumer_callbacks,
    consumer_loops,
    early_acks,
    is_isolated,
    is_none,
    loop_names,
    message_loops,
    never_retries,
    retry_calls,
)

_ACK_FIX = {
    "delete_message": "delete the message only after the handler succeeded; on failure leave it to the "
                      "visibility timeout and the queue's redrive policy (dead-letter queue)",
    "delete": "call `message.delete()` only after the handler succeeded; on failure leave the message to the "
              "visibility timeout and the queue's redrive policy (dead-letter queue)",
    "delete_message_batch": "delete the batch's messages only after each handler succeeded",
    "ack": "use `async with message.process(requeue=False):` around the work, or call `ack()` after it",
    "basic_ack": "call `basic_ack` after the work; `basic_nack(requeue=False)` on failure (to a dead-letter exchange)",
    "commit": "commit the offset after processing (`enable_auto_commit=False`, then `commit()` per message or batch)",
    "xack": "`XACK` after the work; failed entries stay pending and are reclaimed with `XAUTOCLAIM`",
}


@rule("messaging-consumer-loop-unguarded", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def consumer_loop_unguarded(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Consumer loop has no error isolation

    Why: the loop is the whole worker. With no `try`/`except` around the handling of each message,
    one malformed message (a poison message) or one network blip raises out of the loop and kills
    the consumer; it restarts, receives the same message again and dies again, and the queue
    backs up behind it.

    Fix:
        while True:
            resp = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)
            for msg in resp.get("Messages", []):
                try:
                    handle(json.loads(msg["Body"]))
                except Exception:
                    log.exception("message %s failed", msg["MessageId"])
                    continue  # left for redelivery, then the dead-letter queue
                sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])
    """
    mod = f.python
    if mod is None:
        return
    for c in consumer_loops(mod):
        if not is_isolated(mod, c):
            yield Hit(c.line, f"the {c.broker} consumer loop stops at the first exception",
                      fix=_guard_fix(c.broker))


def _guard_fix(broker: str) -> str:
    if broker == "RabbitMQ":
        return ("async for message in it:\n    try:\n        async with message.process(requeue=False):\n"
                "            await handle(message.body)\n    except Exception:\n"
                "        log.exception(\"message %s failed\", message.message_id)  # dead-lettered, loop goes on")
    if broker == "Kafka":
        return ("for msg in consumer:\n    try:\n        handle(msg.value)\n    except Exception:\n"
                "        log.exception(\"offset %s failed\", msg.offset)\n"
                "        send_to_dead_letter_topic(msg)\n    consumer.commit()")
    if broker == "Redis streams":
        return ("while True:\n    for _, entries in r.xreadgroup(GROUP, NAME, {STREAM: \">\"}, block=5000):\n"
                "        for entry_id, fields in entries:\n            try:\n                handle(fields)\n"
                "            except Exception:\n                log.exception(\"entry %s failed\", entry_id)\n"
                "                continue  # stays pending; reclaimed with XAUTOCLAIM\n"
                "            r.xack(STREAM, GROUP, entry_id)")
    return ("for msg in resp.get(\"Messages\", []):\n    try:\n        handle(json.loads(msg[\"Body\"]))\n"
            "    except Exception:\n        log.exception(\"message %s failed\", msg[\"MessageId\"])\n"
            "        continue  # left for redelivery, then the dead-letter queue\n"
            "    sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg[\"ReceiptHandle\"])")


@rule("messaging-ack-before-processing", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.ERROR)
def ack_before_processing(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Message acknowledged before it is processed

    Why: once the message is deleted, acked or its offset committed, the broker forgets it. If the
    handler then fails or the pod is killed mid-way, the message is lost for good: at-most-once
    delivery, with no retry and nothing in the dead-letter queue to look at.

    Fix:
        for msg in resp.get("Messages", []):
            handle(json.loads(msg["Body"]))   # the work first
            sqs.delete_message(QueueUrl=QUEUE_URL, ReceiptHandle=msg["ReceiptHandle"])
    """
    mod = f.python
    if mod is None:
        return
    scopes = [(loop, loop_names(loop)) for c in consumer_loops(mod) for loop in message_loops(c)]
    scopes += [(fn, callback_names(fn)) for fn in consumer_callbacks(mod)]
    for scope, names in scopes:
        for call, name in early_acks(scope, names):
            yield Hit(call.lineno, f"`{dotted(call.func) or name}()` runs before the message is handled",
                      fix=_ACK_FIX[name])


@rule("celery-retry-unbounded", kinds={FileKind.PYTHON}, category=Category.RESILIENCE, severity=Severity.ERROR)
def celery_retry_unbounded(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Celery task retries forever

    Why: `max_retries=None` tells Celery never to give up. A task that can never succeed (a
    deleted row, a rejected payload) is retried for ever, holds a worker slot and keeps hitting
    the downstream service that is already failing.

    Fix:
        @app.task(bind=True, autoretry_for=(httpx.TransportError,), max_retries=5,
                  retry_backoff=True, retry_backoff_max=600, retry_jitter=True)
        def charge(self, order_id: int) -> None:
            ...
    """
    mod = f.python
    if mod is None:
        return
    for fn, dec in celery_tasks(mod):
        if is_none(dec, "max_retries"):
            yield Hit(dec.lineno, f"task `{fn.name}` sets `max_retries=None`")
        for call in retry_calls(fn):
            if is_none(call, "max_retries"):
                yield Hit(call.lineno, f"`{fn.name}` calls `retry(max_retries=None)`")


@rule("celery-retry-without-backoff", kinds={FileKind.PYTHON}, category=Category.RESILIENCE,
      severity=Severity.WARNING)
def celery_retry_without_backoff(f: SourceFile, ctx: RuleContext) -> Iterator[Hit]:
    """Celery task retries without backoff

    Why: without `retry_backoff` (or a `countdown` on `self.retry()`), every failed task comes back
    after the same fixed delay, in lock-step with every other worker that failed at the same
    moment; the retry wave hits the recovering dependency all at once, again and again.

    Fix:
        @app.task(bind=True, autoretry_for=(httpx.TransportError,), max_retries=5,
                  retry_backoff=True, retry_backoff_max=600, retry_jitter=True)
        def charge(self, order_id: int) -> None:
            ...
        # or, by hand:
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 600))
    """
    mod = f.python
    if mod is None:
        return
    for fn, dec in celery_tasks(mod):
        backoff = keyword(dec, "retry_backoff")
        if never_retries(dec):
            continue
        if keyword(dec, "autoretry_for") is not None and (backoff is None or _falsy(backoff.value)):
            yield Hit(dec.lineno, f"task `{fn.name}` retries with `autoretry_for` and no `retry_backoff`",
                      fix=f"@{dotted(dec.func) or 'app.task'}(..., max_retries=5, retry_backoff=True, "
                          "retry_backoff_max=600, retry_jitter=True)")
        for call in retry_calls(fn):
            if keyword(call, "countdown") is None and keyword(call, "eta") is None:
                yield Hit(call.lineno, f"`{fn.name}` calls `retry()` with no `countdown`",
                          fix="raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 600))")


def _falsy(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and not node.value
