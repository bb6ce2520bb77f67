"""How a field's type travels as JSON, so that only wire-incompatible changes count as breaking.

A type annotation is split into its union alternatives; each has a *precise* shape (``EmailStr``,
``datetime``, ``PositiveInt``, a model) and a *wire* shape (what the JSON holds: ``str``, ``int``,
``float``, ``bool``, ``list[...]``, ``dict[...]``, a model). On a response, a change is compatible
when every new alternative arrives as something clients already received (``str`` -> ``EmailStr``
still sends a string). On a request, every old alternative must still be accepted; one accepted
only in a narrower form (``str`` -> ``EmailStr``), or a new bound (``Field(min_length=3)``,
``gt=0``, a pattern), is a tightening that some existing clients trip over.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.services.api import ApiSurface, TypeShape
from reviewer.sources.python_ast import dotted

_STR = {"str", "StrictStr", "EmailStr", "NameEmail", "UUID", "UUID1", "UUID3", "UUID4", "UUID5", "UUID6", "UUID7",
        "UUID8", "datetime", "date", "time", "AwareDatetime", "NaiveDatetime", "PastDate", "FutureDate",
        "PastDatetime", "FutureDatetime", "IPvAnyAddress", "IPvAnyInterface", "IPvAnyNetwork", "IPv4Address",
        "IPv6Address", "IPv4Network", "IPv6Network", "IPv4Interface", "IPv6Interface", "Path", "FilePath",
        "DirectoryPath", "NewPath", "Base64Str", "Base64UrlStr", "Color", "PaymentCardNumber", "PhoneNumber",
        "CountryAlpha2", "CountryAlpha3", "CountryShortName", "LanguageAlpha2", "ULID", "MongoDsn"}
_INT = {"int", "StrictInt", "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt"}
_FLOAT = {"float", "StrictFloat", "PositiveFloat", "NegativeFloat", "NonNegativeFloat", "NonPositiveFloat",
          "FiniteFloat"}
_LIST = {"list", "set", "frozenset", "tuple", "Sequence", "deque", "AbstractSet", "MutableSequence"}
_DICT = {"dict", "Mapping", "MutableMapping"}
_CONSTRAINED = {"constr": "str", "conint": "int", "confloat": "float", "condecimal": "Decimal", "conbytes": "bytes",
                "conlist": "list", "conset": "set", "confrozenset": "frozenset", "condate": "date"}
# (bound, direction): +1 a larger value accepts less (a lower bound), -1 a smaller one does
_BOUNDS = {"min_length": 1, "gt": 1, "ge": 1, "min_items": 1, "max_length": -1, "lt": -1, "le": -1,
           "max_items": -1, "max_digits": -1, "decimal_places": -1}
_OTHER = {"pattern", "regex", "multiple_of", "strict", "allow_inf_nan", "predicate"}
_CONSTRAINT_CALLS = {"Field", "StringConstraints", "Query", "Body", "Path", *_CONSTRAINED}
_ANNOTATED_TYPES = {"Gt": "gt", "Ge": "ge", "Lt": "lt", "Le": "le", "MinLen": "min_length", "MaxLen": "max_length",
                    "MultipleOf": "multiple_of", "Predicate": "predicate"}


def _wire_name(name: str) -> str | None:
    if name in _STR or name.endswith(("Url", "Dsn")) or (name.endswith("Str") and name != "SecretStr"):
        return "str"
    for group, wire in ((_INT, "int"), (_FLOAT, "float"), (_LIST, "list"), (_DICT, "dict")):
        if name in group:
            return wire
    return "bool" if name == "StrictBool" else None


class _Precise(TypeShape):
    """The shape with constrained-type calls folded to their base: ``constr(min_length=3)`` -> ``str``
    (bounds are compared on their own)."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        head = (dotted(node.func) or "").rsplit(".", 1)[-1]
        if head in _CONSTRAINED:
            base = ast.Name(_CONSTRAINED[head])
            item = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "item_type"), None)
            if head in ("conlist", "conset", "confrozenset") and item is not None:
                return ast.Subscript(base, self.visit(item))
            return base
        return self.generic_visit(node)


class _Wire(_Precise):
    """What the JSON holds: narrowed scalar types folded to the JSON type they serialise as."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        info = self.surface.resolve(node.id, self.near)
        if info is not None and info.kind == "enum":
            base = next((b for b in info.bases if b in ("str", "StrEnum", "int", "IntEnum")), None)
            if base is not None:
                return ast.Name("str" if "str" in base.lower() else "int")
        shaped = super().visit_Name(node)
        wire = _wire_name(shaped.id) if isinstance(shaped, ast.Name) else None
        return ast.Name(wire) if wire else shaped

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        wire = _wire_name(node.attr)
        return ast.Name(wire) if wire else super().visit_Attribute(node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if (dotted(node.value) or "").rsplit(".", 1)[-1] == "Literal":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            kinds = {type(e.value).__name__ for e in elts if isinstance(e, ast.Constant)}
            return ast.Name(kinds.pop() if len(kinds) == 1 and kinds <= {"str", "int", "bool"} else "Literal")
        return super().visit_Subscript(node)


def _alternatives(expr: ast.expr) -> Iterator[ast.expr]:
    """The members of a union (``A | B``, ``Optional[A]``, ``Union[A, B]``), through ``Annotated``."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        yield from _alternatives(expr.left)
        yield from _alternatives(expr.right)
        return
    if isinstance(expr, ast.Subscript):
        head = (dotted(expr.value) or "").rsplit(".", 1)[-1]
        elts = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        if head in ("Union", "Optional", "Annotated"):
            for e in elts[:1] if head == "Annotated" else elts:
                yield from _alternatives(e)
            if head == "Optional":
                yield ast.Constant(None)
            return
    yield expr


@dataclass(frozen=True)
class Alt:
    precise: str
    wire: str

    @property
    def plain(self) -> bool:
        """The widest form of its JSON type (``str``, not ``EmailStr``)."""
        return self.precise == self.wire


def alternatives(expr: ast.expr, surface: ApiSurface, near: str) -> list[Alt]:
    out = []
    for alt in _alternatives(expr):
        precise = ast.unparse(_Precise(surface, near).visit(copy.deepcopy(alt)))
        wire = ast.unparse(_Wire(surface, near).visit(copy.deepcopy(alt)))
        out.append(Alt(precise, wire))
    return out


def _covers(a: str, b: str) -> bool:
    """A JSON value of wire shape ``b`` is one of wire shape ``a``."""
    return a == b or a == "Any" or (a in ("float", "Decimal") and b == "int") or (a == "Decimal" and b == "float")


def response_compatible(old: list[Alt], new: list[Alt]) -> bool:
    """Every value the new type sends is one clients already received."""
    return all(any(_covers(o.wire, n.wire) for o in old) for n in new)


def request_verdict(old: list[Alt], new: list[Alt]) -> str | None:
    """"breaking" when a value clients sent is no longer accepted in any form, "tightened" when
    it is accepted only in a narrower form, None when everything clients sent is still accepted."""
    verdict = None
    for o in old:
        covering = [n for n in new if _covers(n.wire, o.wire)]
        if not covering:
            return "breaking"
        if not any(n.precise == o.precise or n.plain for n in covering):
            verdict = "tightened"
    return verdict


def constraints(annotation: ast.expr, value: ast.expr | None) -> dict[str, str]:
    """Validation bounds of a field: ``Field(...)``/``constr(...)``/``StringConstraints(...)``
    keywords and annotated-types markers (``Gt(0)``), from the annotation and the default."""
    out: dict[str, str] = {}
    for root in (annotation, value):
        for node in ast.walk(root) if root is not None else ():
            if not isinstance(node, ast.Call):
                continue
            head = (dotted(node.func) or "").rsplit(".", 1)[-1]
            if head in _CONSTRAINT_CALLS:
                out.update({k.arg: ast.unparse(k.value) for k in node.keywords
                            if k.arg in _BOUNDS or k.arg in _OTHER})
            elif head in _ANNOTATED_TYPES and node.args:
                out[_ANNOTATED_TYPES[head]] = ast.unparse(node.args[0])
    return out


def tightened_bounds(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The bounds that accept less than before, described (``min_length=3`` added, ``max_length`` 50 -> 20)."""
    out = []
    for key, value in sorted(new.items()):
        before = old.get(key)
        if before is None:
            if not (key == "strict" and value == "False") and not (key == "allow_inf_nan" and value == "True"):
                out.append(f"`{key}={value}` added")
        elif before != value and (key not in _BOUNDS or _tighter(before, value, _BOUNDS[key])):
            out.append(f"`{key}` {before} → {value}")
    return out


def _tighter(before: str, after: str, direction: int) -> bool:
    try:
        return (float(after) - float(before)) * direction > 0
    except ValueError:
        return True  # not a number we can compare: a changed bound may reject what passed
