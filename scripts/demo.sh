#!/usr/bin/env bash
# `make demo`: review the bundled pull request (examples/pr.patch) against the bundled monorepo
# (examples/monorepo is the PR's head state), rules only, no API key and no network.
# Usage: scripts/demo.sh [ARCH_REVIEW_BIN]   (default: arch-review on PATH)
set -euo pipefail

BIN="${1:-arch-review}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$(dirname "$(command -v "$BIN")")/python}"
[ -x "$PY" ] || PY=python3

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

git_() { git -C "$tmp" -c user.name="arch-review demo" -c user.email=demo@example.invalid \
         -c commit.gpgsign=false "$@"; }

# base = head with the PR reversed; head = base with the PR applied again
cp -R "$HERE/examples/monorepo/." "$tmp/"
git_ init -q
git_ apply -R "$HERE/examples/pr.patch"
git_ add -A && git_ commit -q -m "base" && git_ branch -f base
git_ apply "$HERE/examples/pr.patch"
git_ add -A && git_ commit -q -m "orders: stock availability endpoints" && git_ branch -f head

echo "== the pull request"
git_ --no-pager diff --stat base head
echo
echo "== arch-review review --base base --head head  (rules only: no anthropic-api-key)"
rc=0
"$BIN" review --base base --head head --repo "$tmp" || rc=$?
if [ "$rc" -ge 2 ]; then
  echo "arch-review failed (exit $rc)" >&2
  exit "$rc"
fi

echo
echo "== what a pull_request run would post (max-comments 20)"
"$BIN" review --base base --head head --repo "$tmp" --format json > "$tmp/.findings.json" || true
git_ --no-pager diff base head > "$tmp/.pr.diff"
"$PY" - "$tmp/.findings.json" "$tmp/.pr.diff" <<'PYEOF'
import json
import sys

from reviewer.diff import parse_unified_diff
from reviewer.model import Category, Finding, Severity
from reviewer.routing import Route, route_findings

data = json.load(open(sys.argv[1]))
changes = parse_unified_diff(open(sys.argv[2]).read())
findings = [Finding(rule_id=d["rule"], severity=Severity(d["severity"]), category=Category(d["category"]),
                    path=d["path"], line=d["line"], title=d["title"], body=d["body"], fix=d["fix"],
                    end_line=d.get("end_line")) for d in data["findings"]]
routed = route_findings(findings, changes, max_inline=20)
inline = [r for r in routed if r.route is Route.INLINE]
print(f"would post 1 review with {len(inline)} inline comment{'s' if len(inline) != 1 else ''}:")
for r in inline:
    span = f"  (lines {r.start_line}-{r.comment_line})" if r.start_line else ""
    print(f"  {r.finding.path}:{r.finding.line}  {r.finding.rule_id}{span}")
rest = [r for r in routed if r.route is not Route.INLINE]
if rest:
    print(f"and list {len(rest)} more in the review body:")
    for r in rest:
        print(f"  {r.finding.path}:{r.finding.line}  {r.finding.rule_id}  ({r.route.value})")
PYEOF
exit 0
