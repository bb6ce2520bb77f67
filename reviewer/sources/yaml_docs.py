"""Multi-document YAML with the line of every key, resolved the YAML 1.2 way.

PyYAML follows YAML 1.1, where ``22:22`` is the base-60 integer 1342 and ``on`` is True.
We compose the node graph (the C parser where present) and build values ourselves with
YAML 1.2 core-schema rules, so ports stay strings and ``on:`` stays a key. Lines are 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from reviewer.errors import SourceError

try:  # libyaml is ~10x faster; fall back quietly where the wheel has no C extension
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class YMap(dict):
    """A mapping that remembers where it and each of its keys stand."""

    line: int = 0
    end_line: int = 0
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]

    def line_of(self, key: Any, default: int | None = None) -> int:
        return self.key_lines.get(key, self.line if default is None else default)

    def value_line(self, key: Any) -> int:
        return self.value_lines.get(key, self.line_of(key))


class YList(list):
    """A sequence that remembers the line of each item."""

    line: int = 0
    end_line: int = 0
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True)
class YamlDoc:
    index: int
    data: Any
    start_line: int
    end_line: int


_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_STR_TAG = "tag:yaml.org,2002:str"


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style:  # quoted or block scalars are strings ('' or None means plain)
        return value
    if node.tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                        "tag:yaml.org,2002:null", _STR_TAG, "tag:yaml.org,2002:timestamp"):
        return value  # a custom tag such as !Ref: keep the text
    if node.tag == _STR_TAG and not value.startswith("0o"):
        # YAML 1.1 would have typed every 1.2 number/bool/null below, so a str tag here was explicit
        return value
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value


# A billion-laughs document (anchors of lists of aliases of anchors ...) is a few hundred bytes that
# expands to billions of nodes as soon as anything str()s or compares a value. Real compose files
# and manifests reuse at most a few thousand nodes through anchors (`<<: *defaults` per service).
MAX_ALIASED_NODES = 100_000
# libyaml stops at 1000 levels, but values this deep overflow Python's recursion limit in str() and
# in rules; real manifests nest about 15 levels.
MAX_DEPTH = 200


class _Skip(Exception):
    """One document cannot be used as it is; the rest of the file still can."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem, self.line = problem, line


class _Builder:
    """Python values from one document's node graph, sharing what aliases share.

    Counts the nodes each alias stands for (its anchor's whole subtree), so an alias bomb is
    refused after MAX_ALIASED_NODES instead of handing rules a value too large to print."""

    def __init__(self) -> None:
        self._seen: dict[int, Any] = {}
        self._sizes: dict[int, int] = {}  # expanded node count of each finished collection
        self._count = 0
        self._aliased = 0
        self._depth = 0
        self.duplicates: list[tuple[Any, int, int]] = []  # (key, first line, repeated line)

    def build(self, node: yaml.Node) -> Any:
        known = self._seen.get(id(node))
        if known is not None:
            return self._alias(node, known)
        self._count += 1
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Skip(f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
        before = self._count - 1
        value = self._sequence(node) if isinstance(node, yaml.SequenceNode) else self._mapping(node)
        self._sizes[id(node)] = self._count - before
        self._depth -= 1
        return value

    def _alias(self, node: yaml.Node, known: Any) -> Any:
        size = self._sizes.get(id(node))
        if size is None:  # still being built: the alias sits inside its own anchor
            raise _Skip("an alias refers to the anchor it is inside of", node.start_mark.line + 1)
        self._count += size
        self._aliased += size
        if self._aliased > MAX_ALIASED_NODES:
            raise _Skip(f"its aliases expand to more than {MAX_ALIASED_NODES:,} nodes (an alias bomb?)",
                        node.start_mark.line + 1)
        return known

    def _sequence(self, node: yaml.SequenceNode) -> YList:
        out = YList()
        self._seen[id(node)] = out
        out.line, out.end_line = node.start_mark.line + 1, node.end_mark.line + 1
        out.item_lines = []
        for item in node.value:
            out.item_lines.append(item.start_mark.line + 1)
            out.append(self.build(item))
        return out

    def _mapping(self, node: yaml.MappingNode) -> YMap:
        mapping = YMap()
        self._seen[id(node)] = mapping
        mapping.line, mapping.end_line = node.start_mark.line + 1, node.end_mark.line + 1
        mapping.key_lines, mapping.value_lines = {}, {}
        merges: list[YMap] = []
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if key == "<<" and isinstance(key_node, yaml.ScalarNode) and not key_node.style:
                merged = self.build(value_node)
                merges.extend(m for m in (merged if isinstance(merged, list) else [merged])
                              if isinstance(m, YMap))
                continue
            if isinstance(key, (dict, list)):
                key = str(key)
            line = key_node.start_mark.line + 1
            if key in mapping:
                self.duplicates.append((key, mapping.key_lines[key], line))
            mapping[key] = self.build(value_node)
            mapping.key_lines[key] = line
            mapping.value_lines[key] = value_node.start_mark.line + 1
        for merged in merges:  # explicit keys win over merged ones, as YAML's merge key says
            for key, value in merged.items():
                if key not in mapping:
                    mapping[key] = value
                    mapping.key_lines[key] = merged.key_lines.get(key, merged.line)
                    mapping.value_lines[key] = merged.value_lines.get(key, merged.line)
        return mapping


@dataclass
class YamlLoad:
    """The documents of one file that could be used, and what was lost on the way."""

    docs: list[YamlDoc] = field(default_factory=list)
    error: SourceError | None = None  # what stopped parsing; the documents before it are kept
    problems: list[SourceError] = field(default_factory=list)  # skipped documents, duplicate keys

    def summary(self, path: str) -> SourceError | None:
        """Everything in one error, for callers that keep one per file."""
        every = [*self.problems, *([self.error] if self.error is not None else [])]
        if len(every) <= 1:
            return every[0] if every else None
        return SourceError(path, "; ".join(f"line {e.line}: {e.problem}" if e.line else e.problem for e in every),
                           every[0].line)


def load_yaml(text: str, path: str = "<yaml>") -> YamlLoad:
    """All documents that parse, each built on its own: an alias bomb, a recursive alias or too deep
    a nesting skips that document, and every skip and duplicate key is named in ``problems``."""
    out = YamlLoad()
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if node is not None:
                _add_document(out, index, node, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        out.error = SourceError(path, f"invalid YAML: {problem}", line)
    except RecursionError:
        out.error = SourceError(path, "invalid YAML: nesting too deep")
    return out


def _add_document(out: YamlLoad, index: int, node: yaml.Node, path: str) -> None:
    start, end = node.start_mark.line + 1, node.end_mark.line + 1
    # one builder per document: anchors do not cross documents, and the builder's cache is
    # keyed by id(node), which Python reuses once an earlier document's nodes are freed
    builder = _Builder()
    try:
        data = builder.build(node)
    except _Skip as skip:
        out.problems.append(SourceError(path, f"document {index + 1} skipped: {skip.problem}", skip.line))
        return
    for key, first, again in builder.duplicates:
        out.problems.append(SourceError(
            path, f"duplicate key `{key}` (first on line {first}): the later value, on line {again}, is used",
            again))
    out.docs.append(YamlDoc(index, data, start, end))


def parse_yaml(text: str, path: str = "<yaml>") -> tuple[list[YamlDoc], SourceError | None]:
    """All documents that parse, plus one error that names whatever was skipped or stopped parsing."""
    loaded = load_yaml(text, path)
    return loaded.docs, loaded.summary(path)


def get_path(data: Any, *keys: Any, default: Any = None) -> Any:
    """data[k1][k2]... where every step may be missing or of the wrong type."""
    cur = data
    for key in keys:
        in_map = isinstance(cur, dict) and key in cur
        in_list = isinstance(cur, list) and isinstance(key, int) and 0 <= key < len(cur)
        if in_map or in_list:
            cur = cur[key]
        else:
            return default
    return cur


def line_of(data: Any, *keys: Any) -> int:
    """Line of the deepest key in ``keys`` that exists (the container's line otherwise)."""
    cur, line = data, getattr(data, "line", 1)
    for key in keys:
        if isinstance(cur, YMap) and key in cur:
            line = cur.line_of(key)
            cur = cur[key]
        elif isinstance(cur, YList) and isinstance(key, int) and 0 <= key < len(cur):
            line = cur.line_at(key)
            cur = cur[key]
        else:
            break
    return line
