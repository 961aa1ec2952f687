"""Issue 12, point 7, in a browser: an administrator goes from the Members
page to the CSV import, uploads a file, reads the dry run, confirms, and
watches the progress bar (htmx polling) reach the end while the task
worker runs the import; the report is then offered."""

import re

from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD
from tests.e2e.conftest import log_in
from tests.markers import transactional_db, worker_process
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [transactional_db, worker_process]

CSV = (
    "email;name;role;plan\n"
    "ada@acme.example;Ada Lovelace;collaborator;\n"
    "grace@acme.example;Grace Hopper;reader;\n"
    "not-an-email;;;\n"
    "bob@acme.example;Bob Bernard;;\n"
)


def test_an_administrator_imports_members_from_csv(open_page, live_worker, tmp_path):
    organization = OrganizationFactory(name="Acme")
    MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
    )
    MembershipFactory(
        organization=organization,
        user__email="bob@acme.example",
        user__full_name="Bob",
    )
    page = open_page()
    log_in(page, "alice@acme.example", PASSWORD)
    page.goto(f"/organizations/{organization.pk}/members/")
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", name="Import members from CSV")).to_be_visible()
    upload = tmp_path / "members.csv"
    upload.write_text("\ufeff" + CSV, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_label("Email an invitation to each new member").uncheck()
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
    counts = page.get_by_role("table").first
    expect(counts.get_by_role("row", name="New members")).to_contain_text("2")
    expect(counts.get_by_role("row", name="Updated")).to_contain_text("1")
    expect(counts.get_by_role("row", name="Errors")).to_contain_text("1")
    expect(page.get_by_role("cell", name="not-an-email")).to_be_visible()
    page.get_by_role("button", name="Import").click()

    # The worker runs the task; the page polls its progress every second.
    report = page.get_by_role("link", name="Download the report")
    expect(report).to_be_visible(timeout=90_000)
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "100")
    expect(page.get_by_text("4 of 4 lines")).to_be_visible()
    with page.expect_download() as download:
        report.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert re.search(r"^4,not-an-email,Error,", text, re.MULTILINE), text
    assert "2,ada@acme.example,New member," in text
