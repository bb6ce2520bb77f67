from reviewer.diff import from_github_files
from reviewer.grouping import Problem
from reviewer.model import Category, Finding, Severity
from reviewer.routing import DEFAULT_MIN_INLINE, HARD_MAX_INLINE, Placement, Route, Routed, plan_review, route_problems

CHANGES = from_github_files([
    {"filename": "a.py", "status": "modified", "additions": 3,
     "patch": "@@ -1,2 +1,5 @@\n x\n+y\n+z\n+w\n v"},
])


def f(line, sev=Severity.WARNING, path="a.py", end=None):
    return Finding("r-x", sev, Category.RESILIENCE, path, line, "t", "b", end_line=end, anchor_text=f"l{line}")


def route_findings(findings, changes, max_inline: int, min_inline: Severity = DEFAULT_MIN_INLINE) -> list[Routed]:
    """Each finding on its own, ungrouped: placement alone."""
    return route_problems([Problem(f) for f in findings], changes, Placement(max_inline, min_inline))


def test_commentable_goes_inline_outside_goes_file_other_files_body():
    routed = {(r.finding.path, r.finding.line): r.route
              for r in route_findings([f(2), f(40), f(3, path="other.py")], CHANGES, 20)}
    assert routed == {("a.py", 2): Route.INLINE, ("a.py", 40): Route.FILE, ("other.py", 3): Route.BODY}


def test_cap_keeps_the_most_severe_inline_and_never_drops():
    findings = [f(2, Severity.INFO), f(3, Severity.ERROR), f(4, Severity.WARNING)]
    routed = route_findings(findings, CHANGES, 2, min_inline=Severity.INFO)
    assert len(routed) == 3
    inline = [r.finding.severity for r in routed if r.route is Route.INLINE]
    assert inline == [Severity.ERROR, Severity.WARNING]
    assert [r.finding.severity for r in routed if r.route is Route.BODY] == [Severity.INFO]


def test_hard_cap_applies_above_the_users_cap():
    findings = [f(2) for _ in range(HARD_MAX_INLINE + 5)]
    routed = route_findings(findings, CHANGES, 1000)
    assert sum(r.route is Route.INLINE for r in routed) == HARD_MAX_INLINE


def test_range_in_one_hunk_becomes_multi_line_comment():
    (r,) = route_findings([f(2, end=4)], CHANGES, 5)
    assert (r.start_line, r.comment_line) == (2, 4)
    (r,) = route_findings([f(2, end=40)], CHANGES, 5)
    assert (r.start_line, r.comment_line) == (None, 2)


def test_no_pull_request_routes_everything_to_the_summary():
    assert {r.route for r in route_findings([f(2), f(9)], None, 20)} == {Route.SUMMARY}


def test_info_goes_to_notes_by_default_and_inline_when_the_threshold_says_so():
    routed = route_findings([f(2, Severity.INFO), f(3, Severity.WARNING)], CHANGES, 20)
    assert [(r.finding.line, r.route) for r in routed] == [(3, Route.INLINE), (2, Route.NOTE)]
    routed = route_findings([f(2, Severity.INFO)], CHANGES, 20, min_inline=Severity.INFO)
    assert [r.route for r in routed] == [Route.INLINE]
    routed = route_findings([f(2, Severity.WARNING), f(3, Severity.ERROR)], CHANGES, 20, min_inline=Severity.ERROR)
    assert {r.finding.line: r.route for r in routed} == {2: Route.NOTE, 3: Route.INLINE}


def repeat(line, path="a.py"):
    return Finding("http-call-without-timeout", Severity.WARNING, Category.RESILIENCE, path, line,
                   "Outbound HTTP call without a timeout: `requests.get()` has no `timeout=`", "b",
                   anchor_text=f"requests.get({line})")


def test_plan_groups_once_keeps_earlier_posts_apart_and_drops_nothing():
    findings = [repeat(40), repeat(3), repeat(9, path="other.py"), f(2, Severity.ERROR), f(4, Severity.INFO)]
    seen = {f(2, Severity.ERROR).fingerprint()}
    routed = plan_review(findings, CHANGES, Placement(1, Severity.WARNING), seen)
    assert sum(r.size for r in routed) == len(findings)
    by_route = {r.route: r for r in routed}
    assert set(by_route) == {Route.INLINE, Route.NOTE, Route.EARLIER}
    grouped = by_route[Route.INLINE]  # the first place is the commentable line 3, not line 40
    assert (grouped.finding.line, sorted((x.path, x.line) for x in grouped.also)) == (
        3, [("a.py", 40), ("other.py", 9)])


def test_a_problem_takes_one_inline_place_however_many_findings_it_stands_for():
    routed = plan_review([repeat(n) for n in (2, 3, 4)] + [f(5, Severity.WARNING)], CHANGES, Placement(2))
    assert [(r.route, r.size) for r in routed] == [(Route.INLINE, 3), (Route.INLINE, 1)]  # cap 2: room for both
