"""axe-core in the browser tests: run it on the page as a person sees it and say what it found.

axe-core's script comes from the `axe-playwright-python` package (a dev dependency pinned in
uv.lock; the package bundles axe-core's `axe.min.js`, MPL-2.0). The rules run are those of
WCAG 2.0 and 2.1, levels A and AA: the level public services are held to.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page

#: axe-core's tags for the rules of WCAG 2.0/2.1 A and AA.
WCAG_A_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations;
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (only what is rendered counts: a hidden
    screen of the app is not checked until it is shown)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated through the DevTools protocol: the page's Content-Security-Policy, which
        # refuses inline scripts, does not apply to it
        page.evaluate(AXE_SCRIPT)
    violations: list[dict[str, Any]] = page.evaluate(_RUN, list(WCAG_A_AA))
    return violations


def describe(where: str, violations: list[dict[str, Any]]) -> str:
    """The violations as a person fixing them wants to read them: the rule, what it asks,
    and each element with axe's own explanation."""
    lines = [f"{where}: {len(violations)} accessibility violation(s)"]
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl'].split('?')[0]})"
        )
        for node in violation["nodes"][:8]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:400]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def check_accessibility(page: Page, where: str, found: list[str]) -> None:
    """Run axe-core on the page; keep a readable account of any violation in ``found``."""
    violations = axe_violations(page)
    if violations:
        found.append(describe(where, violations))


def assert_accessible(page: Page, where: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    found: list[str] = []
    check_accessibility(page, where, found)
    assert not found, "\n\n".join(found)
