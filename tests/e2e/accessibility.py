"""axe-core in the browser tests, through axe-playwright-python, which
bundles axe.min.js: nothing comes from a CDN.

The package injects axe with `page.evaluate`, which goes through the DevTools
protocol and not through the page's Content Security Policy, so no
`bypass_csp` is needed: the pages axe checks are the same pages whose CSP
violations and console errors `open_page` watches, and that watch shows that
axe itself causes none."""

from axe_playwright_python.sync_playwright import Axe

# Violations of these impacts fail a test; "moderate" and "minor" ones are
# reported by axe but not asserted.
FAILING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def axe_violations(page, state: str = "") -> list[str]:
    """The serious and critical axe violations of the page as it is now, one
    line per rule and node, naming the URL (and the state, such as a dialog
    opened): empty when it passes."""
    results = _axe.run(page)
    where = page.url + (f" ({state})" if state else "")
    return [
        f"{where}: {violation['id']} ({violation['impact']}) "
        f"{' '.join(node['target'])}: {node['html'][:200]} — {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
        for node in violation["nodes"]
    ]
