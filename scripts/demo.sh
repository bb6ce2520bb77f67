#!/usr/bin/env bash
# `make demo`: review the bundled pull request (examples/pr.patch) against the bundled monorepo
# (examples/monorepo is the PR's head state), rules only, no API key and no network.
# Usage: scripts/demo.sh [ARCH_REVIEW_BIN]   (default: arch-review on PATH)
set -euo pipefail

BIN="${1:-arch-review}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

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
echo "== what a pull_request run would post: arch-review review --base base --head head --format pr"
"$BIN" review --base base --head head --repo "$tmp" --format pr || true
exit 0
