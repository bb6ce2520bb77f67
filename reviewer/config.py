"""One typed Config, parsed and validated once (JSON Schema shipped in the package), passed down."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from reviewer.errors import ConfigError, UsageError
from reviewer.model import Category, Finding, Severity
from reviewer.selection import did_you_mean

DEFAULT_CONFIG_PATH = ".github/arch-review.yml"
DEFAULT_MODEL = "claude-haiku-5-5"
DEFAULT_MAX_COMMENTS = 20
MODEL_RULE_IDS = frozenset(f"llm-{c.value}" for c in Category)  # the model's findings, one id per category


@dataclass(frozen=True)
class ModelSettings:
    enabled: bool = True
    name: str = DEFAULT_MODEL
    provider: str = "anthropic"  # anthropic | bedrock | vertex
    region: str | None = None
    project_id: str | None = None
    max_requests: int = 20
    max_input_tokens: int = 400_000
    max_output_tokens: int = 4_096
    request_token_budget: int = 24_000
    concurrency: int = 4
    min_confidence: float = 0.6
    instructions: str = ""  # model.instructions: the repository's guidance, sent delimited and capped
    path_instructions: tuple[tuple[tuple[str, ...], str], ...] = ()  # model.path-instructions: (globs, text)


@dataclass(frozen=True)
class ConventionSettings:
    """The ``conventions:`` key: conventions switched off, declared ones (held by three followers
    without a majority), the share of services that makes a convention, and the rules switched off
    (a convention that another rule already reports speaks only when that rule is off)."""

    off: frozenset[str] = frozenset()
    declare: frozenset[str] = frozenset()
    min_share: float = 0.75
    disabled_rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Override:
    """``overrides: [{paths: [...], rules: {...}}]``: rule switches and severities for some paths only."""

    paths: tuple[str, ...]
    rules: dict[str, tuple[bool, str | None]]  # rule id -> (enabled, severity or None)

    @cached_property
    def globs(self) -> PathGlobs:
        return PathGlobs.of(self.paths)


@dataclass(frozen=True)
class Config:
    source: str | None = None  # where it was read from, for messages
    disabled: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    service_roots: tuple[str, ...] = ()
    max_comments: int = DEFAULT_MAX_COMMENTS
    min_inline_severity: Severity = Severity.WARNING  # below it: the review body's Notes, never inline
    fail_on: Severity | None = None
    model: ModelSettings = field(default_factory=ModelSettings)
    speaks: dict[str, str] = field(default_factory=dict)  # rule id -> "review" | "audit" | "both"
    list_pre_existing: bool = False  # review.pre-existing: list (default: count)
    overrides: tuple[Override, ...] = ()
    conventions: ConventionSettings = field(default_factory=ConventionSettings)

    @property
    def convention_settings(self) -> ConventionSettings:
        """The conventions' settings as rules read them: with the rules this config switches off."""
        return replace(self.conventions, disabled_rules=self.disabled)

    def rule_enabled(self, rule_id: str) -> bool:
        """Whether the rule runs at all: on, or turned on for some paths by an override."""
        return rule_id not in self.disabled or any(o.rules.get(rule_id, (False, None))[0] for o in self.overrides)

    def _override(self, rule_id: str, path: str) -> tuple[bool, str | None] | None:
        for o in reversed(self.overrides):  # the last matching entry wins
            if rule_id in o.rules and o.globs.match(path):
                return o.rules[rule_id]
        return None

    def rule_enabled_at(self, rule_id: str, path: str) -> bool:
        found = self._override(rule_id, path) if self.overrides else None
        return rule_id not in self.disabled if found is None else found[0]

    def severity_at(self, rule_id: str, path: str) -> Severity | None:
        """The configured severity of the rule's findings in ``path`` (None: the rule's own)."""
        found = self._override(rule_id, path) if self.overrides else None
        if found is not None and found[1]:
            return Severity(found[1])
        return self.severities.get(rule_id)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """The config's rule switches, severity overrides and path globs, for findings the engine did
        not make itself (the model's ``llm-<category>`` ones)."""
        return [f.with_(severity=self.severity_at(f.rule_id, f.path) or f.severity) for f in findings
                if self.rule_enabled_at(f.rule_id, f.path) and self.path_included(f.path)]

    def path_included(self, path: str) -> bool:
        if self.include and not self._include_globs.match(path):
            return False
        return not self._exclude_globs.match(path)

    @cached_property
    def _include_globs(self) -> PathGlobs:
        return PathGlobs.of(self.include)

    @cached_property
    def _exclude_globs(self) -> PathGlobs:
        return PathGlobs.of(self.exclude)


_MAGIC = re.compile(r"[*?[\\]")
_GROUP = re.compile(r"\(\?P<[a-z_]+>")  # pathspec's named groups: several regexes are joined into one


class PathGlobs:
    """Config path globs with .gitignore semantics (pathspec's ``gitignore`` patterns): ``*`` stays
    within a directory, a pattern without a slash matches at any depth (``*.py``, ``generated``), one
    with a slash is anchored at the root (``services/**``, ``/setup.py``), and a match on a directory
    covers everything below it. A ``!pattern`` re-includes, so a list holding one is matched by
    pathspec itself, in order.

    Otherwise matching takes time that does not grow with their number (a generated config may list
    50,000): literal patterns are set lookups, and the others are grouped by their literal leading
    directory into one regular expression each, compiled on use."""

    def __init__(self) -> None:
        self.exact: set[str] = set()  # "a/b.py" from "a/b.py" or "/a/b.py" (and everything below it)
        self.below: set[str] = set()  # "a/b/" from "a/b/**" or "a/b/"
        self.names: set[str] = set()  # "x.py" from "x.py" or "**/x.py": a file or directory at any depth
        self.dir_names: set[str] = set()  # "build" from "build/": a directory at any depth
        self.by_head: dict[str, list[str]] = {}  # "a/" -> regexes of the patterns anchored below "a/"
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._ordered: list[str] = []
        self._negated = False

    @classmethod
    def of(cls, patterns: Iterable[str]) -> PathGlobs:
        globs = cls()
        for pattern in patterns:
            globs.add(pattern)
        return globs

    def add(self, pattern: str) -> None:
        self._ordered.append(pattern)
        self.__dict__.pop("_spec", None)  # patterns may come after a first match (nested .gitignore files)
        if pattern.startswith("!"):
            self._negated = True
            return
        core = pattern[3:] if pattern.startswith("**/") and "/" not in pattern[3:].rstrip("/") else pattern
        anchored = "/" in core.rstrip("/")
        core = core.lstrip("/") if anchored else core
        if not core or core.startswith("#"):
            return
        if not _MAGIC.search(core):
            if core.endswith("/"):
                if anchored:
                    self.below.add(core)
                else:
                    self.dir_names.add(core.rstrip("/"))
            elif anchored:
                self.exact.add(core)
            else:
                self.names.add(core)
            return
        if core.endswith("/**") and not _MAGIC.search(core[:-3]) and anchored:
            self.below.add(core[:-2])
            return
        regex = _GROUP.sub("(?:", _pattern_regex(pattern))
        magic = _MAGIC.search(core)
        assert magic is not None
        head = core[: core.rfind("/", 0, magic.start()) + 1] if anchored else ""
        self.by_head.setdefault(head, []).append(regex)
        self._compiled.pop(head, None)

    def match(self, path: str) -> bool:
        if self._negated:
            return self._spec.match_file(path)
        if path in self.exact:
            return True
        return any(prefix in self.below or prefix[:-1] in self.exact or self._head_match(prefix, path)
                   for prefix in _dir_prefixes(path)) or self._name_match(path.split("/"))

    def _name_match(self, parts: list[str]) -> bool:
        return any(part in self.names for part in parts) or any(part in self.dir_names for part in parts[:-1])

    def _head_match(self, head: str, path: str) -> bool:
        if head not in self.by_head:
            return False
        rx = self._compiled.get(head)
        if rx is None:
            rx = self._compiled[head] = re.compile("|".join(f"(?:{r})" for r in self.by_head[head]))
        return rx.match(path) is not None

    @cached_property
    def _spec(self) -> Any:
        import pathspec

        return pathspec.PathSpec.from_lines("gitignore", self._ordered)


def _pattern_regex(pattern: str) -> str:
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    regex, _ = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    return regex


def _dir_prefixes(path: str) -> Iterator[str]:
    """"", "a/", "a/b/" for "a/b/c.py"."""
    yield ""
    start = path.find("/")
    while start != -1:
        yield path[: start + 1]
        start = path.find("/", start + 1)


@cache
def _schema() -> dict[str, Any]:
    from importlib import resources  # only a config file needs the schema

    return json.loads(resources.files("reviewer").joinpath("data/config.schema.json").read_text())


def parse_fail_on(value: str | None) -> Severity | None:
    if value is None or value.strip().lower() in ("", "none"):
        return None
    try:
        return Severity.parse(value)
    except ValueError:
        raise ValueError(f"fail-on must be none, info, warning or error, not {value!r}") from None


def config_from_mapping(data: Any, source: str, known_rules: set[str] | None = None) -> Config:
    import jsonschema

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(source, None, "the top level must be a mapping")
    _check_keys_and_numbers(data, source)
    validator = jsonschema.Draft202012Validator(_schema())
    problems: list[tuple[str | None, str]] = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        at = [str(p) for p in err.absolute_path]
        if err.validator == "additionalProperties":
            allowed = err.schema.get("properties", {})
            problems += [(".".join([*at, key]), f"unknown key{did_you_mean(key, allowed)}")
                         for key in sorted(set(err.instance) - set(allowed))]
        else:
            problems.append((".".join(at) or None, err.message))
    rules = data.get("rules") if isinstance(data.get("rules"), dict) else {}
    overrides = data.get("overrides") if isinstance(data.get("overrides"), list) else []
    named = [(f"rules.{r}", r) for r in rules] + [
        (f"overrides[{i}].rules.{r}", r) for i, o in enumerate(overrides) if isinstance(o, dict)
        for r in (o.get("rules") if isinstance(o.get("rules"), dict) else {})]
    if known_rules is not None:
        problems += [(where, f"unknown rule id{did_you_mean(r, known_rules)}; `arch-review rules` lists them")
                     for where, r in named if r not in known_rules and r not in MODEL_RULE_IDS]
    if problems:
        raise ConfigError.of(source, problems)
    disabled, severities, speaks = set(), {}, {}
    for rule_id, setting in rules.items():
        enabled, sev = _switch(setting)
        if isinstance(setting, dict) and "speaks" in setting:
            speaks[rule_id] = setting["speaks"]
        if not enabled:
            disabled.add(rule_id)
        if sev:
            severities[rule_id] = Severity(sev)
    model_data = {k.replace("-", "_"): v for k, v in (data.get("model") or {}).items()}
    if "path_instructions" in model_data:
        model_data["path_instructions"] = tuple((tuple(p["paths"]), p["instructions"])
                                                for p in model_data["path_instructions"])
    return Config(
        source=source,
        disabled=frozenset(disabled),
        severities=severities,
        include=tuple((data.get("paths") or {}).get("include", ())),
        exclude=tuple((data.get("paths") or {}).get("exclude", ())),
        service_roots=tuple(r.strip("/") for r in (data.get("services") or {}).get("roots", ())),
        max_comments=(data.get("comments") or {}).get("max-inline", DEFAULT_MAX_COMMENTS),
        min_inline_severity=Severity((data.get("comments") or {}).get("min-inline-severity", "warning")),
        fail_on=parse_fail_on(data.get("fail-on")),
        model=ModelSettings(**model_data),
        speaks=speaks,
        overrides=tuple(Override(tuple(o["paths"]), {r: _switch(s) for r, s in o["rules"].items()})
                        for o in overrides),
        list_pre_existing=(data.get("review") or {}).get("pre-existing", "count") == "list",
        conventions=_conventions(data.get("conventions") or {}, source),
    )


def _conventions(data: dict[str, Any], source: str) -> ConventionSettings:
    """``conventions: {off: [ids], declare: [ids], min-share: 0.75}``; ids are checked against the catalog."""
    from reviewer.services.conventions import BY_ID  # only a config file with this key needs the catalog

    off, declare = frozenset(data.get("off", ())), frozenset(data.get("declare", ()))
    for key, ids in (("off", off), ("declare", declare)):
        unknown = sorted(ids - set(BY_ID))
        if unknown:
            raise ConfigError(source, f"conventions.{key}", f"unknown convention {unknown[0]!r} "
                                                            f"(known: {', '.join(BY_ID)})")
    if off & declare:
        raise ConfigError(source, "conventions", f"{sorted(off & declare)[0]!r} is both off and declared")
    return ConventionSettings(off, declare, float(data.get("min-share", 0.75)))


def _switch(setting: Any) -> tuple[bool, str | None]:
    """(enabled, severity or None) of one rule setting: a bool, off/on/a severity, or a mapping."""
    if isinstance(setting, dict):
        return setting.get("enabled", True), setting.get("severity")
    if isinstance(setting, bool):
        return setting, None
    return setting != "off", (setting if setting not in ("on", "off") else None)


def _check_keys_and_numbers(data: Any, source: str) -> None:
    """Keys must be text, numbers finite: YAML reads `.nan`/`.inf` as floats that pass every
    minimum/maximum, and `true:`/`1:` as keys no rule or setting has."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(source, where or None, f"must be a finite number, not {value}")
        if isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                if not isinstance(key, str):
                    raise ConfigError(source, path, f"a key must be text, not {type(key).__name__} (quote it)")
                stack.append((item, path))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))


def load_config_text(text: str | None, source: str, known_rules: set[str] | None = None) -> Config:
    """Parse a config file's text (None: no file, defaults).

    Read the YAML 1.2 way, like every other file here, so `on:`/`off:` keys stay as written, with
    the same bound on alias expansion; a duplicate key is an error rather than a silent override."""
    if text is None:
        return Config(source=None)
    from reviewer.sources.yaml_docs import load_yaml

    loaded = load_yaml(text, source)
    if loaded.error is not None:
        where = f"line {loaded.error.line}" if loaded.error.line else None
        raise ConfigError(source, where, f"not valid YAML ({loaded.error.problem.removeprefix('invalid YAML: ')})")
    if loaded.problems:
        first = loaded.problems[0]
        raise ConfigError(source, f"line {first.line}" if first.line else None, first.problem)
    if len(loaded.docs) > 1:
        raise ConfigError(source, f"line {loaded.docs[1].start_line}", "a config file holds one YAML document")
    return config_from_mapping(loaded.docs[0].data if loaded.docs else None, source, known_rules)


def load_config_file(path: Path, source: str, known_rules: set[str] | None = None,
                     root: Path | None = None) -> Config:
    """A config file on disk (a local checkout or the Action's workspace); a missing file means defaults.
    Under ``root`` (the repository), a symlink leading out of it is refused unread; a directory, FIFO
    or device is named as such, never opened."""
    from reviewer.workspace.paths import regular_file

    if regular_file(path, f"config file {source}", root) is None:
        return Config(source=None)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config file {source}: {exc}") from exc
    return load_config_text(text, source, known_rules)
