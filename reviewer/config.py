"""One typed Config, parsed and validated once (JSON Schema shipped in the package), passed down."""

from __future__ import annotations

import fnmatch
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
    conventions: ConventionSettings = field(default_factory=ConventionSettings)

    @property
    def convention_settings(self) -> ConventionSettings:
        """The conventions' settings as rules read them: with the rules this config switches off."""
        return replace(self.conventions, disabled_rules=self.disabled)

    def rule_enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """The config's rule switches, severity overrides and path globs, for findings the engine did
        not make itself (the model's ``llm-<category>`` ones)."""
        return [f.with_(severity=self.severities.get(f.rule_id, f.severity)) for f in findings
                if self.rule_enabled(f.rule_id) and self.path_included(f.path)]

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


_MAGIC = re.compile(r"[*?[]")


class PathGlobs:
    """Config path globs: ``fnmatch`` patterns, plus ``dir/**`` (everything below ``dir``) and
    ``**/pattern`` (also at the top). Matching takes time that does not grow with their number
    (a generated config may list 50,000): literal patterns are set lookups, and the others are
    grouped by their literal leading directory into one regular expression each, compiled on use."""

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.below: set[str] = set()  # "a/b/" from "a/b/**"
        self.names: set[str] = set()  # "x.py" from "**/x.py": at any depth, the top included
        self.by_head: dict[str, list[str]] = {}  # "a/" -> fnmatch patterns that start with "a/"
        self._compiled: dict[str, re.Pattern[str]] = {}

    @classmethod
    def of(cls, patterns: Iterable[str]) -> PathGlobs:
        globs = cls()
        for pattern in patterns:
            globs.add(pattern)
        return globs

    def add(self, pattern: str) -> None:
        rest = pattern[3:] if pattern.startswith("**/") else None
        if rest is not None and not _MAGIC.search(rest):
            self.names.add(rest)
            return
        if pattern.endswith("/**"):
            self.below.add(pattern[:-2])  # the directory as written, even when it holds [ or *
        if not pattern.endswith("/**") or _MAGIC.search(pattern[:-3]):
            self._add_fnmatch(pattern)
        if rest is not None:
            self.add(rest)

    def _add_fnmatch(self, pattern: str) -> None:
        magic = _MAGIC.search(pattern)
        if magic is None:
            self.exact.add(pattern)
            return
        head = pattern[: pattern.rfind("/", 0, magic.start()) + 1]
        self.by_head.setdefault(head, []).append(pattern)

    def match(self, path: str) -> bool:
        if path in self.exact:
            return True
        return any(prefix in self.below or path[len(prefix):] in self.names or self._head_match(prefix, path)
                   for prefix in _dir_prefixes(path))

    def _head_match(self, head: str, path: str) -> bool:
        if head not in self.by_head:
            return False
        rx = self._compiled.get(head)
        if rx is None:
            rx = self._compiled[head] = re.compile("|".join(fnmatch.translate(p) for p in self.by_head[head]))
        return rx.match(path) is not None


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
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        key = ".".join(str(p) for p in err.absolute_path) or None
        if err.validator == "additionalProperties":
            unknown = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            where = ".".join([*(str(p) for p in err.absolute_path), unknown[0]]) if unknown else key
            raise ConfigError(source, where, "unknown key")
        raise ConfigError(source, key, err.message)
    disabled, severities, speaks = set(), {}, {}
    for rule_id, setting in (data.get("rules") or {}).items():
        if known_rules is not None and rule_id not in known_rules and rule_id not in MODEL_RULE_IDS:
            raise ConfigError(source, f"rules.{rule_id}", "unknown rule id (see `arch-review rules`)")
        if isinstance(setting, dict):
            enabled, sev = setting.get("enabled", True), setting.get("severity")
            if "speaks" in setting:
                speaks[rule_id] = setting["speaks"]
        elif isinstance(setting, bool):
            enabled, sev = setting, None
        else:
            enabled, sev = setting != "off", (setting if setting not in ("on", "off") else None)
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
