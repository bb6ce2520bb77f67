"""Multi-document YAML with the line of every key, resolved the YAML 1.2 way.

PyYAML follows YAML 1.1, where ``22:22`` is the base-60 integer 1342 and ``on`` is True.
We compose the node graph (the C parser where present) and build values ourselves with
YAML 1.2 core-schema rules, so ports stay strings and ``on:`` stays a key. Lines are 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


class _Builder:
    def __init__(self) -> None:
        self._seen: dict[int, Any] = {}

    def build(self, node: yaml.Node) -> Any:
        known = self._seen.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            out = YList()
            self._seen[id(node)] = out
            out.line, out.end_line = node.start_mark.line + 1, node.end_mark.line + 1
            out.item_lines = []
            for item in node.value:
                out.item_lines.append(item.start_mark.line + 1)
                out.append(self.build(item))
            return out
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
            mapping[key] = self.build(value_node)
            mapping.key_lines[key] = key_node.start_mark.line + 1
            mapping.value_lines[key] = value_node.start_mark.line + 1
        for merged in merges:  # explicit keys win over merged ones, as YAML's merge key says
            for key, value in merged.items():
                if key not in mapping:
                    mapping[key] = value
                    mapping.key_lines[key] = merged.key_lines.get(key, merged.line)
                    mapping.value_lines[key] = merged.value_lines.get(key, merged.line)
        return mapping


def parse_yaml(text: str, path: str = "<yaml>") -> tuple[list[YamlDoc], SourceError | None]:
    """All documents that parse, plus the error that stopped parsing (if any)."""
    docs: list[YamlDoc] = []
    try:
        for index, node in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if node is None:
                continue
            start, end = node.start_mark.line + 1, node.end_mark.line + 1
            # one builder per document: anchors do not cross documents, and the builder's cache is
            # keyed by id(node), which Python reuses once an earlier document's nodes are freed
            docs.append(YamlDoc(index, _Builder().build(node), start, end))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return docs, SourceError(path, f"invalid YAML: {problem}", line)
    except RecursionError:
        return docs, SourceError(path, "invalid YAML: nesting too deep")
    return docs, None


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
