"""The README and the design page stand alone: every link stays in the
repository and leads to a file that exists, and the code they name exists.

A web address is allowed only as an example (the loopback of a local run,
a reserved `.example` host, a placeholder such as `redis://…`), never as
somewhere to go and read.
"""

import importlib
import re
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
DESIGN = ROOT / "docs" / "design.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("**/*.md"))]
APPS = ("accounts", "organizations", "plans", "contracts", "surveys", "demo", "config")

MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<(\w+://[^>]+)>")
ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s`'\")<>|]*", re.IGNORECASE)
CODE = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(rf"(?:{'|'.join(APPS)})(?:\.[A-Za-z_]\w*)+")
# Made by commands, not kept in the repository.
GENERATED = {"staticfiles/"}
PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)*(?:/|\.(?:py|html|md|txt|js|css))")


def _example_host(address: str) -> bool:
    """Loopback, a reserved example name (RFC 2606), or no host at all (a
    placeholder: `redis://…`, `postgres://...`)."""
    host = (urllib.parse.urlsplit(address).hostname or "").rstrip(".")
    if not host or not re.search(r"[a-z0-9]", host):
        return True
    return (
        host in {"127.0.0.1", "localhost", "[::1]", "::1"}
        or host.endswith((".example", ".test", ".invalid", ".localhost"))
        or host in {"example", "host"}
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_link_leaves_the_repository(document):
    text = document.read_text()
    for match in MARKDOWN_LINK.finditer(text):
        target = match.group(1) or match.group(2)
        assert not urllib.parse.urlsplit(target).scheme, (document.name, target)
        path = (document.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), (document.name, target)
        assert path.exists(), (document.name, target)
    outside = [a for a in ADDRESS.findall(text) if not _example_host(a)]
    assert not outside, (document.name, outside)
    assert "../" not in text, document.name


def test_the_readme_leads_to_the_design_page_and_keeps_its_quick_start():
    text = README.read_text()
    assert "](docs/design.md)" in text
    assert "shared/DESIGN.md" not in text
    quick_start = re.search(r"```sh\n(make run .*\nmake test .*)\n```", text)
    assert quick_start is not None
    assert quick_start.group(1) == (
        "make run    # installs everything, migrates SQLite, loads the demo, "
        "serves http://127.0.0.1:8000\n"
        "make test   # runs the whole test suite"
    )


def test_the_design_page_covers_flows_roles_rules_architecture_and_scale():
    text = DESIGN.read_text()
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    for heading in [
        "Who may do what",
        "The six flows",
        "Domain rules",
        "Architecture",
        "The scale path",
    ]:
        assert heading in headings, heading
    flows = re.search(r"^## The six flows\n(.*?)^## ", text, re.MULTILINE | re.DOTALL)
    assert [int(n) for n in re.findall(r"^(\d)\. \*\*", flows.group(1), re.M)] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    prose = " ".join(text.split()).lower()
    for step in [
        "gunicorn",
        "load balancer",
        "PostgreSQL",
        "Redis",
        "worker",
        "read replicas",
        "by month",
    ]:
        assert step.lower() in prose, step


def _code_names(document: Path) -> list[str]:
    return [
        token.strip().rstrip("()")
        for token in CODE.findall(document.read_text())
        if " " not in token.strip()
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_code_the_documents_name_exists(document):
    """`contracts.entitlements.feature_use` can be imported; a path such as
    `contracts/keys.py`, or a template's `contracts/member_detail.html`, is
    a file of the repository. A renamed function fails here until the
    documents say its new name."""
    missing = []
    for name in _code_names(document):
        if DOTTED.fullmatch(name):
            if not _importable(name):
                missing.append(name)
        elif PATH.fullmatch(name) and "/" in name and name not in GENERATED:
            candidates = [ROOT / name, ROOT / "templates" / name]
            if not any(c.exists() for c in candidates):
                missing.append(name)
    assert not missing, (document.name, missing)


def _importable(dotted: str) -> bool:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute, None)
            if found is None:
                return False
        return True
    return False
