"""The contracts pages stay easy to live in: thin views in modules split by
page family, one name per concept, the downgrade preview and the bulk
summary read from selectors, and each confirmation page holding the dialog
it shares with its page as a partial of one template."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import messages
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse

from contracts import selectors as contract_selectors
from contracts import services
from contracts.exceptions import SeatsExhausted
from organizations import selectors as organization_selectors
from plans import selectors as plan_selectors
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

HTMX = {"HX-Request": "true"}
VIEW_FUNCTION_LINES = 40
MODULE_LINES = 400
APPS = [
    "accounts",
    "organizations",
    "plans",
    "contracts",
    "surveys",
    "lifecycle",
    "api",
    "scim",
    "imports",
    "config",
]


def _functions(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.end_lineno - node.lineno + 1


def _python_files(*folders: str) -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [path for folder in folders for path in (base / folder).rglob("*.py")]


def test_no_view_function_of_any_app_is_over_40_lines():
    """A view reads a selector, calls a service and renders: counted from
    its `def` to its last line, docstring included."""
    views = [
        path
        for path in _python_files(*APPS)
        # The REST API's endpoints are views too.
        if path.name == "views.py" or path.parent.name in {"views", "endpoints"}
    ]
    long = {
        f"{path.parent.name}/{path.name}:{name}": lines
        for path in views
        for name, lines in _functions(path)
        if lines > VIEW_FUNCTION_LINES
    }
    assert views
    assert long == {}


def test_no_module_of_any_app_is_over_400_lines_but_models_and_admin():
    """Past ~400 lines a module is split by what changes together; models
    and the admin's registrations may stay whole."""
    paths = [
        path
        for path in _python_files(*APPS)
        if path.name not in {"models.py", "admin.py"} and "migrations" not in path.parts
    ]
    long = {
        f"{path.parent.name}/{path.name}": len(path.read_text().splitlines())
        for path in paths
        if len(path.read_text().splitlines()) > MODULE_LINES
    }
    assert long == {}


def test_the_members_views_are_split_by_page_family():
    base = Path(settings.BASE_DIR) / "contracts" / "views"
    assert not (base / "members.py").exists()
    assert (base / "member_list.py").exists()
    assert (base / "member_detail.py").exists()


@pytest.mark.django_db
def test_each_selector_name_has_one_meaning():
    """`plan_catalog` is the catalogue as a list, with features;
    `plan_catalog_by_id` the plans by id; the members with their plans are
    `member_list_with_plans`, the bare memberships
    `membership_list_for_organization`."""
    assert not hasattr(contract_selectors, "plan_catalog")
    assert not hasattr(contract_selectors, "member_list")
    assert not hasattr(contract_selectors, "member_export")
    assert not hasattr(organization_selectors, "member_list")
    catalog = plan_selectors.plan_catalog()
    by_id = contract_selectors.plan_catalog_by_id()
    assert isinstance(catalog, list)
    assert by_id == {plan.pk: plan for plan in catalog}


@pytest.fixture
def bob(organization, admin_user):
    contract = ContractFactory(seats={"professional": 3})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    membership = MembershipFactory(
        organization=organization, user=UserFactory(full_name="Bob Bernard")
    )
    services.member_plan_set(
        organization=organization,
        user=membership.user,
        plan=plan("professional"),
        actor=admin_user,
    )
    return membership


@pytest.mark.django_db
def test_the_downgrade_preview_is_a_selector(organization, bob):
    survey = SurveyFactory(owner=bob.user, organization=organization, open=True)
    link_add(survey)
    responses_add(survey, 120, answers=False)
    contract = contract_selectors.contract_for_organization(organization=organization)

    def preview(code):
        return contract_selectors.member_plan_downgrade_preview(
            contract=contract, member=bob, plan=plan(code)
        )

    assert preview("free") == [survey]
    # Not lower than the plan held: nothing to preview.
    assert preview("professional") == []
    assert (
        contract_selectors.member_plan_downgrade_preview(
            contract=None, member=bob, plan=plan("free")
        )
        == []
    )


@pytest.mark.django_db
def test_the_bulk_summary_is_a_selector():
    full = SeatsExhausted("No Professional seat is left.")
    summary = contract_selectors.bulk_plan_summary(
        results=[("ann", None), ("bob", None), ("cid", full)],
        plan=plan("professional"),
    )
    assert summary.text == (
        "2 members now have Professional; 1 could not: No Professional seat is left."
    )
    assert summary.level == messages.WARNING
    refused = contract_selectors.bulk_plan_summary(
        results=[("cid", full)], plan=plan("professional")
    )
    assert refused.text == "1 member could not: No Professional seat is left."
    assert refused.level == messages.ERROR


@pytest.mark.parametrize(
    "removed",
    [
        "contracts/_member_plan_confirm.html",
        "contracts/_member_remove_confirm.html",
        "contracts/_member_remove_dialog.html",
        "contracts/_disconnect_confirm.html",
    ],
)
def test_a_confirmation_and_its_dialog_are_one_template(removed):
    with pytest.raises(TemplateDoesNotExist):
        get_template(removed)


@pytest.mark.parametrize(
    "partial",
    [
        "contracts/member_plan_confirm.html#plan-confirm",
        "contracts/member_remove.html#remove-confirm",
        "contracts/contract_disconnect.html#disconnect-confirm",
    ],
)
def test_each_confirmation_is_a_partial_of_its_page(partial):
    get_template(partial)


@pytest.mark.django_db
class TestConfirmationsWithHtmx:
    """The confirmation pages answer htmx with their dialog's content alone,
    and a plain request with the whole page."""

    def test_removing_a_member(self, admin_client, organization, bob):
        url = reverse("contracts:member-remove", args=[organization.pk, bob.pk])
        fragment = admin_client.get(url, headers=HTMX)
        page = admin_client.get(url)
        assert fragment.status_code == page.status_code == 200
        assert "<html" not in fragment.text
        assert '<h2 id="remove-confirm-title">Remove Bob Bernard?</h2>' in (
            fragment.text
        )
        assert "Their Professional plan goes back to contract" in fragment.text
        assert "<html" in page.text
        assert '<h1 id="remove-confirm-title">Remove Bob Bernard?</h1>' in page.text

    def test_disconnecting(self, admin_client, organization, bob):
        url = reverse("contracts:disconnect", args=[organization.pk])
        fragment = admin_client.get(url, headers=HTMX)
        page = admin_client.get(url)
        assert fragment.status_code == page.status_code == 200
        assert "<html" not in fragment.text
        assert '<h2 id="disconnect-confirm-title">' in fragment.text
        assert "<html" in page.text
        assert '<h1 id="disconnect-confirm-title">' in page.text

    def test_the_member_page_holds_both_dialogs(self, admin_client, organization, bob):
        page = admin_client.get(
            reverse("contracts:member-detail", args=[organization.pk, bob.pk])
        )
        assert '<dialog id="remove-dialog"' in page.text
        assert '<h2 id="remove-confirm-title">' in page.text
        assert "Their Professional plan goes back to contract" in page.text
