"""Replace secret-looking values with ``[REDACTED]`` before any text leaves the machine.

Line structure is kept (the model cites line numbers), so every pattern works within a line,
and private key blocks are redacted line by line. Over-redacting costs a little context;
under-redacting sends a credential to a third party, so the patterns lean to the safe side.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

MARK = "[REDACTED]"

# Tokens recognisable by their own shape, wherever they appear.
_TOKENS = [
    re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub tokens
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{8,}"),  # Slack
    re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"),  # Stripe
    re.compile(r"\bsk-ant-[A-Za-z0-9_-]{8,}"),  # Anthropic
    re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}"),  # OpenAI style
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),  # Google API keys
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # JWTs
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/-]{16,}=*"),
]

# scheme://user:password@host -> scheme://user:[REDACTED]@host
_DSN = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:)(?P<value>[^\s@/'\"]+)(?=@)")

# A name that says "secret" followed by an assignment: env, YAML, JSON, Python, kwargs, CLI.
# `pass` only as its own word at the end (DB_PASS, smtp.pass): BYPASS and proxy_pass are not secrets.
_NAME = r"[A-Za-z0-9_.-]*(?:[_.-]key|apikey|secret|token|password|passwd|pwd|credentials?|(?<=[_.-])pass)"
_QUOTED = re.compile(
    rf"""(?ix)(?P<head>\b{_NAME}["']?(?:\s*:\s*[A-Za-z_][\w\[\], |.]*?)?\s*(?::|=|:=|=>)\s*[brf]?)
        (?P<q>["'])(?P<value>[^"'\n]*)(?P=q)""")
_BARE = re.compile(rf"""(?ix)(?P<head>\b{_NAME}["']?\s*(?::|=)[ \t]*)(?P<value>[^\s"'#,;(){{}}\[\]]+)""")
_K8S_SECRET_NAME = re.compile(rf"(?i)^\s*-?\s*name:\s*[\"']?{_NAME}[\"']?\s*$")
_K8S_VALUE = re.compile(r"""(?P<head>^\s*value:\s*)(?P<value>["']?[^\s"'#][^#\n]*?["']?)\s*$""")

# An HTTP Authorization header in any syntax (`Authorization: Basic ..`, {"Authorization": "Bearer .."}):
# the credential after the scheme, however short.
_AUTH_HEADER = re.compile(
    r"""(?ix)(?P<head>\b(?:proxy-)?authorization["']?\s*[:=,]\s*(?:[brf]?["'])?
        (?:(?:basic|bearer|token|digest|negotiate|ntlm|apikey)\s+|(?!(?:basic|bearer|token|digest|negotiate|ntlm|apikey)\b)))
        (?P<value>[A-Za-z0-9._~+/=:-]+)""")
# `Basic <base64 of user:password>` anywhere (a curl line, a test fixture); checked by decoding.
_BASIC = re.compile(r"(?i)(?P<head>\bbasic\s+)(?P<value>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
# .netrc: `machine h login u password p`, or the same spread over lines (`password p` alone).
_NETRC = re.compile(r"""(?i)^(?P<head>\s*(?:(?:machine\s+\S+|default)\s+)?(?:login\s+\S+\s+)?(?:account\s+\S+\s+)?
                        password\s+)(?P<value>\S+)(?=\s*$|\s+(?:machine|login|account|macdef|default)\b)""", re.X)
# curl/wget/httpie style `-u user:password`, `--user=user:password`.
_USER_OPTION = re.compile(r"""(?P<head>(?:^|\s)(?:-u|--user|--http-user)[\s=]+["']?[^\s:'"]*:)(?P<value>[^\s'"]+)""")

_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{16,}")

# Values that are references or code, not secrets: keep them, they tell the reviewer where a
# secret comes from (${DB_PASSWORD}, {{ .Values.x }}, os.environ.get, settings.api_key).
_REFERENCE = re.compile(r"""^(?:\$\{?[\w.:-]+\}?|\{\{.*|\$\(.*|<[^>]*>|%\(\w+\)s|None|null|~|true|false|True|False
                            |[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|\*+|x{3,}|\.\.\.|changeme|REDACTED|\[REDACTED\])$""",
                        re.X)


_Keep = Callable[[str, re.Match[str]], bool]
# `api_key: SecretStr` is a type annotation, not a value.
_TYPE_NAMES = {"str", "bytes", "int", "SecretStr", "SecretBytes", "Any", "Optional", "object"}


class Redactor:
    """Counts what it replaced, so the run can say so in a note."""

    def __init__(self) -> None:
        self.count = 0

    def _sub(self, pattern: re.Pattern[str], text: str, keep: _Keep | None = None) -> str:
        def repl(m: re.Match[str]) -> str:
            value = m.group("value") if "value" in m.groupdict() else m.group(0)
            if value == MARK or (keep is not None and keep(value, m)):
                return m.group(0)
            self.count += 1
            if "value" not in m.groupdict():
                return MARK
            start, end = m.span("value")
            return m.string[m.start():start] + MARK + m.string[end:m.end()]

        return pattern.sub(repl, text)

    def line(self, text: str) -> str:
        for pattern in _TOKENS:
            text = self._sub(pattern, text)
        text = self._sub(_AUTH_HEADER, text, _is_header_code)
        text = self._sub(_BASIC, text, lambda v, m: not _is_basic_credential(v))
        text = self._sub(_NETRC, text, lambda v, m: bool(_REFERENCE.match(v)))
        text = self._sub(_USER_OPTION, text, lambda v, m: bool(_REFERENCE.match(v)) or v.startswith("$"))
        text = self._sub(_DSN, text, lambda v, m: bool(_REFERENCE.match(v)))
        text = self._sub(_QUOTED, text, lambda v, m: not v or bool(_REFERENCE.match(v)))
        return self._sub(_BARE, text, _is_code)

    def text(self, text: str) -> str:
        """Redact a whole file or message, line by line, keeping the number of lines."""
        out: list[str] = []
        in_key = False
        secret_name_above = False
        for line in text.split("\n"):
            if in_key or _PEM_BEGIN.search(line):
                redacted = _BASE64_RUN.sub(MARK, line)
                key_line = redacted != line or bool(_PEM_BEGIN.search(line) or _PEM_END.search(line))
                self.count += redacted != line
                # the block ends at its END marker, or (cut off by a hunk) at the first line of something else
                in_key = key_line and not _PEM_END.search(line)
                if key_line:
                    out.append(redacted)
                    secret_name_above = False
                    continue
            line = self.line(line)
            if secret_name_above:  # Kubernetes env: `- name: API_TOKEN` then `value: "..."`
                line = self._sub(_K8S_VALUE, line, lambda v, m: bool(_REFERENCE.match(v.strip("\"'"))))
            secret_name_above = bool(_K8S_SECRET_NAME.match(line))
            out.append(line)
        return "\n".join(out)


_SCHEME_END = re.compile(r"(?i)(?:basic|bearer|token|digest|negotiate|ntlm|apikey)\s+$")
_QUOTED_KEY_BARE_VALUE = re.compile(r"""(?i)authorization["']\s*[:=,]\s*$""")
_STRING_PREFIXES = {"f", "b", "r", "u", "rb", "br", "fr", "rf"}


def _is_header_code(value: str, m: re.Match[str]) -> bool:
    """After a scheme (`Bearer x`) the value is a credential; without one it may be code
    (`authorization=Depends(auth)`) or the prefix of a string (`"authorization": f'Bearer {t}'`)."""
    if value.lower() in _STRING_PREFIXES and m.string[m.end():m.end() + 1] in ("'", '"'):
        return True
    head = m.group("head")
    if _SCHEME_END.search(head):
        return False
    if _QUOTED_KEY_BARE_VALUE.search(head):  # {"Authorization": auth_header}: JSON would quote a value
        return True
    return _is_code(value, m)


def _is_basic_credential(value: str) -> bool:
    """Base64 of ``user:password`` (Basic auth), not an English word after "basic"."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except ValueError:
        return False
    return b":" in decoded and decoded.isascii() and decoded.decode("ascii").isprintable()


def _is_code(value: str, m: re.Match[str]) -> bool:
    """A bare value that is an expression (a call, an index, a reference), not a literal."""
    rest = m.string[m.end():].lstrip()
    return (m.string[m.end():m.end() + 1] in ("(", "[", ".") or rest.startswith(("=", "|"))
            or value in _TYPE_NAMES or bool(_REFERENCE.match(value)) or value.startswith("$"))


def redact(text: str) -> tuple[str, int]:
    """``text`` with secrets replaced, and how many were replaced."""
    r = Redactor()
    return r.text(text), r.count
