"""The access matrix: every URL pattern of the project, requested by every
kind of person, with ids of the right tenant and of the other one.

Each named pattern of config.urls has an entry in ENTRIES saying how to
build its arguments from a tenant, which methods it accepts, and the status
each role gets. A pattern without an entry, or an entry without a pattern,
fails `test_every_url_pattern_has_an_entry`. The Django admin is one entry:
staff reach it, nobody else does.

The roles (tenant A is the one the ids come from):

- anonymous: the login page (302) for private pages, 200 for public ones;
- outsider: logged in, in no organization: 404 on every organization,
  contract and survey;
- member (a collaborator of A, who owns A's surveys), reader (of A),
  admin (administrator of A): what their role allows, 404 for the rest;
- admin_b: the administrator of B, with A's ids: 404;
- manager: manages A's contract without being in A: the account pages of
  that contract, 404 on A's organization pages;
- staff: a superuser in no organization: the Django admin; the app's own
  pages apply the membership rules to staff like to anyone (404), because
  support works through the admin;
- swap: A's administrator (or, for the account pages, A's contract
  manager) with B's ids swapped in, one argument at a time and all at
  once: 404, never 403, and nothing changes.

Views that only accept POST answer GET with 405 to anyone logged in,
whatever the ids: the answer says nothing about the objects.

Besides the status, no response to a person outside a tenant contains
that tenant's organization name, people's emails, survey titles or
contract references (see Tenant.secrets), and no refused POST changes
anything.
"""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.models import ApiToken, Scope
from api.services import api_token_create
from imports.models import MemberImport
from tests.proof.scenario import Scenario, Tenant, scenario_kept
from tests.proof.state import changes, snapshot

ROLES = (
    "anonymous",
    "outsider",
    "member",
    "reader",
    "admin",
    "admin_b",
    "manager",
    "staff",
)
LOGIN = "login"  # 302 to the login page, with ?next=
ADMIN_NAMESPACE = "admin"
API_NAMESPACE = "api"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    with scenario_kept(django_db_blocker) as built:
        yield built


def roles(default, **overrides) -> dict[str, object]:
    return {role: overrides.get(role, default) for role in ROLES}


def anyone(status) -> dict[str, object]:
    return roles(status)


def logged_in(status) -> dict[str, object]:
    return roles(status, anonymous=LOGIN)


def org_members(status) -> dict[str, object]:
    return roles(404, anonymous=LOGIN, member=status, reader=status, admin=status)


def org_admins(status) -> dict[str, object]:
    return roles(404, anonymous=LOGIN, admin=status)


def survey_managers(status) -> dict[str, object]:
    """The survey's owner (the member) and the organization's
    administrators."""
    return roles(404, anonymous=LOGIN, member=status, admin=status)


def contract_managers(status) -> dict[str, object]:
    return roles(404, anonymous=LOGIN, manager=status)


def post_only() -> dict[str, object]:
    return logged_in(405)


@dataclass(frozen=True)
class Entry:
    """How to request one URL pattern and what each role gets.

    `get`/`post`: the expected status per role; `post` is None when the
    view does not accept POST (it is then not tried). `swap_as`: the role
    that owns A's objects, who gets 404 with B's ids; None when the pattern
    has no tenant ids (or public tokens only). `swap_overrides`: per set of
    swapped arguments, a different status for a method. `shows`: A's
    strings a page may show to anyone (a public page showing its survey).
    """

    get: dict[str, object]
    post: dict[str, object] | None = None
    kwargs: Callable[[Tenant], dict] | None = None
    data: Callable[[Tenant], dict] = lambda tenant: {}
    swap_as: str | None = "admin"
    swap_overrides: dict[frozenset, dict[str, object]] = field(default_factory=dict)
    shows: Callable[[Tenant], list[str]] = lambda tenant: []


def organization(tenant: Tenant) -> dict:
    return {"organization_id": tenant.organization.pk}


def member_of(attribute: str) -> Callable[[Tenant], dict]:
    def kwargs(tenant: Tenant) -> dict:
        return {
            "organization_id": tenant.organization.pk,
            "membership_id": getattr(tenant, attribute).pk,
        }

    return kwargs


def group_of(tenant: Tenant) -> dict:
    return {"organization_id": tenant.organization.pk, "group_id": tenant.group.pk}


def member_import(tenant: Tenant) -> dict:
    """A's or B's import of a file with no line (running it changes
    nothing), made the first time it is asked for."""
    made, _created = MemberImport.objects.get_or_create(
        organization=tenant.organization,
        file_name="matrix.csv",
        defaults={"content": "email\r\n", "base_url": "http://testserver"},
    )
    return {"organization_id": tenant.organization.pk, "import_id": made.pk}


def contract(tenant: Tenant) -> dict:
    return {"contract_id": tenant.contract.pk}


def seat(tenant: Tenant) -> dict:
    return {"contract_id": tenant.contract.pk, "seat_id": tenant.seat.pk}


def survey(tenant: Tenant) -> dict:
    return {"survey_id": tenant.survey.pk}


def draft(tenant: Tenant) -> dict:
    return {"survey_id": tenant.draft.pk}


def draft_question(tenant: Tenant) -> dict:
    return {
        "survey_id": tenant.draft.pk,
        "question_id": tenant.draft_questions["rating"].pk,
    }


def link_token(tenant: Tenant) -> dict:
    return {"token": tenant.link.token}


def invitation_token(tenant: Tenant) -> dict:
    return {"token": tenant.invitation.token}


def scim_token(tenant: Tenant) -> dict:
    """A token of the tenant's directory, made when first asked for (the
    scenario has none)."""
    from scim.models import ScimToken

    token, _ = ScimToken.objects.get_or_create(
        organization=tenant.organization,
        name="Matrix",
        defaults={"prefix": "scim_matrix", "digest": f"matrix-{tenant.label}"},
    )
    return {"organization_id": tenant.organization.pk, "token_id": token.pk}


def scim_user(tenant: Tenant) -> dict:
    return {"resource_id": str(tenant.collaborator_membership.pk)}


def scim_without_token() -> dict:
    """SCIM takes a bearer token, never a session: a SCIM 401 for anyone."""
    return anyone(401)


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def survey_title(tenant: Tenant) -> list[str]:
    return [tenant.survey.title]


ENTRIES: dict[str, Entry] = {
    "home": Entry(get=logged_in(200), swap_as=None),
    # Accounts: public pages, then the person's own.
    "accounts:login": Entry(
        get=roles(302, anonymous=200), post=roles(302, anonymous=200), swap_as=None
    ),
    "accounts:logout": Entry(get=anyone(405), post=anyone(302), swap_as=None),
    "accounts:password-reset": Entry(get=anyone(200), post=anyone(200), swap_as=None),
    "accounts:password-reset-done": Entry(get=anyone(200), swap_as=None),
    "accounts:password-reset-confirm": Entry(
        get=anyone(200),
        post=anyone(200),
        # A link with a wrong token: the "invalid link" page, for anyone.
        kwargs=lambda tenant: {
            "uidb64": urlsafe_base64_encode(force_bytes(tenant.admin.pk)),
            "token": "not-a-valid-token",
        },
        swap_as=None,
    ),
    "accounts:password-reset-complete": Entry(get=anyone(200), swap_as=None),
    "accounts:profile": Entry(
        get=logged_in(200),
        post=logged_in(302),
        data=lambda tenant: {"full_name": "Someone Renamed"},
        swap_as=None,
    ),
    "accounts:password": Entry(get=logged_in(200), post=logged_in(200), swap_as=None),
    "accounts:side-menu": Entry(get=anyone(405), post=anyone(302), swap_as=None),
    "set_language": Entry(
        get=anyone(302),
        post=anyone(302),
        data=lambda tenant: {"language": "fr", "next": "/"},
        swap_as=None,
    ),
    # Organizations.
    "organizations:organization-list": Entry(get=logged_in(200), swap_as=None),
    "organizations:organization-detail": Entry(
        get=org_members(200), kwargs=organization
    ),
    # Directory sync: the page, a new token (shown once), a revocation.
    "organizations:directory-sync": Entry(get=org_admins(200), kwargs=organization),
    "organizations:directory-sync-create": Entry(
        get=post_only(),
        post=org_admins(200),
        kwargs=organization,
        data=lambda tenant: {"name": "Matrix"},
    ),
    "organizations:directory-sync-revoke": Entry(
        get=org_admins(200), post=org_admins(302), kwargs=scim_token
    ),
    # SCIM 2.0: the directory's bearer token only (tests/scim cover it).
    "scim:root": Entry(get=scim_without_token(), swap_as=None),
    "scim:config": Entry(get=scim_without_token(), swap_as=None),
    "scim:resource-types": Entry(get=scim_without_token(), swap_as=None),
    "scim:resource-type": Entry(
        get=scim_without_token(), kwargs=lambda tenant: {"name": "User"}, swap_as=None
    ),
    "scim:schemas": Entry(get=scim_without_token(), swap_as=None),
    "scim:schema": Entry(
        get=scim_without_token(),
        kwargs=lambda tenant: {"name": "urn:ietf:params:scim:schemas:core:2.0:User"},
        swap_as=None,
    ),
    "scim:search": Entry(
        get=scim_without_token(), post=scim_without_token(), swap_as=None
    ),
    "scim:users": Entry(
        get=scim_without_token(), post=scim_without_token(), swap_as=None
    ),
    "scim:users-search": Entry(
        get=scim_without_token(), post=scim_without_token(), swap_as=None
    ),
    "scim:user": Entry(
        get=scim_without_token(),
        post=scim_without_token(),
        kwargs=scim_user,
        swap_as=None,
    ),
    "scim:groups": Entry(
        get=scim_without_token(), post=scim_without_token(), swap_as=None
    ),
    "scim:groups-search": Entry(
        get=scim_without_token(), post=scim_without_token(), swap_as=None
    ),
    "scim:group": Entry(
        get=scim_without_token(),
        post=scim_without_token(),
        kwargs=lambda tenant: {"resource_id": "1"},
        swap_as=None,
    ),
    "scim:not-found": Entry(
        get=scim_without_token(),
        post=scim_without_token(),
        kwargs=lambda tenant: {"rest": "Anything"},
        swap_as=None,
    ),
    "plans:pricing": Entry(get=anyone(200), swap_as=None),
    # The organization's contract, for its administrators. A is connected:
    # the first step of connecting sends back to the contract page.
    "contracts:organization-contract": Entry(get=org_admins(200), kwargs=organization),
    "contracts:connect": Entry(
        get=org_admins(302), post=org_admins(422), kwargs=organization
    ),
    "contracts:connect-key": Entry(
        get=org_admins(302), post=org_admins(422), kwargs=organization
    ),
    "contracts:disconnect": Entry(
        get=org_admins(200), post=org_admins(302), kwargs=organization
    ),
    "contracts:auto-assign": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"enabled": "on"},
    ),
    # The waitlist and the requests for a plan: members post theirs (back
    # home whatever the answer); administrators answer from the Contract
    # page (an id not in the queue reads "already answered": 302).
    "contracts:waitlist-join": Entry(
        get=post_only(),
        post=org_members(302),
        kwargs=organization,
        data=lambda tenant: {"feature": "report_export"},
    ),
    "contracts:waitlist-leave": Entry(
        get=post_only(), post=org_members(302), kwargs=organization
    ),
    "contracts:plan-request": Entry(
        get=post_only(),
        post=org_members(302),
        kwargs=organization,
        data=lambda tenant: {"reason": "For the reports."},
    ),
    "contracts:waitlist-give": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"entry": "1"},
    ),
    "contracts:waitlist-decline": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"entry": "1"},
    ),
    "contracts:plan-request-give": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"request": "1", "plan": "professional"},
    ),
    "contracts:plan-request-decline": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"request": "1"},
    ),
    # Seats over time: the low-seat alert's threshold, idle plans (the
    # policy page, and the reminder's "Keep my plan" link: a signed token
    # anyone holding it may use; a wrong one says it has expired).
    "contracts:alert-threshold": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"plan": "professional", "threshold": "1"},
    ),
    "contracts:idle-policy": Entry(
        get=org_admins(200),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"remind_days": "30", "reclaim_days": "7"},
    ),
    "contracts:idle-keep": Entry(
        get=anyone(200),
        post=anyone(200),
        kwargs=lambda tenant: {"token": "not-a-valid-token"},
        swap_as=None,
    ),
    # The contract manager's account pages.
    "contracts:account-contract-list": Entry(get=logged_in(200), swap_as=None),
    "contracts:account-contract-detail": Entry(
        get=contract_managers(200), kwargs=contract, swap_as="manager"
    ),
    "contracts:account-alert-threshold": Entry(
        get=post_only(),
        post=contract_managers(302),
        kwargs=contract,
        swap_as="manager",
        data=lambda tenant: {"plan": "professional", "threshold": "1"},
    ),
    "contracts:key-generate": Entry(
        get=contract_managers(200),
        post=contract_managers(200),
        kwargs=contract,
        swap_as="manager",
    ),
    "contracts:seat-release": Entry(
        get=contract_managers(200),
        post=contract_managers(302),
        kwargs=seat,
        swap_as="manager",
        # Freeing a seat that is not on the contract (B's seat under A's
        # contract) is answered like freeing one already freed: back to the
        # contract, "already free", nothing changes. A seat id that exists
        # elsewhere cannot be told from one that does not.
        swap_overrides={frozenset({"seat_id"}): {"POST": 302}},
    ),
    # The members pages.
    "contracts:member-list": Entry(get=org_members(200), kwargs=organization),
    "contracts:member-add": Entry(
        get=post_only(), post=org_admins(422), kwargs=organization
    ),
    "contracts:member-bulk-plan": Entry(
        get=post_only(), post=org_admins(422), kwargs=organization
    ),
    "contracts:member-list-plan": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=member_of("collaborator_membership"),
        data=lambda tenant: {"plan": "professional"},
    ),
    "contracts:member-export": Entry(get=org_admins(200), kwargs=organization),
    "contracts:member-bulk-group": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {
            "bulk-members": [str(tenant.reader_membership.pk)],
            "bulk-group": str(tenant.group.pk),
        },
    ),
    # The organization's groups (plans by group).
    "contracts:group-list": Entry(
        get=org_admins(200), post=org_admins(422), kwargs=organization
    ),
    "contracts:group-detail": Entry(get=org_admins(200), kwargs=group_of),
    "contracts:group-rename": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=group_of,
        data=lambda tenant: {"name": "Renamed group"},
    ),
    "contracts:group-delete": Entry(
        get=org_admins(200), post=org_admins(302), kwargs=group_of
    ),
    "contracts:group-member-remove": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=group_of,
        data=lambda tenant: {"member": str(tenant.collaborator_membership.pk)},
    ),
    "contracts:group-plan": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=group_of,
        data=lambda tenant: {"plan": "professional"},
    ),
    # The CSV import of members (an empty file's import, made on first use).
    "imports:import-new": Entry(
        get=org_admins(200),
        post=org_admins(302),
        kwargs=organization,
        data=lambda tenant: {"file": SimpleUploadedFile("m.csv", b"email\r\n")},
    ),
    "imports:import-template": Entry(get=org_admins(200), kwargs=organization),
    "imports:import-detail": Entry(get=org_admins(200), kwargs=member_import),
    "imports:import-confirm": Entry(
        get=post_only(), post=org_admins(302), kwargs=member_import
    ),
    "imports:import-report": Entry(get=org_admins(200), kwargs=member_import),
    "contracts:member-detail": Entry(
        get=org_members(200), kwargs=member_of("collaborator_membership")
    ),
    "contracts:member-role": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=member_of("collaborator_membership"),
        data=lambda tenant: {"role": "reader"},
    ),
    "contracts:member-plan": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=member_of("collaborator_membership"),
        data=lambda tenant: {"plan": "professional"},
    ),
    "contracts:member-auto-assign-include": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=member_of("collaborator_membership"),
    ),
    "contracts:member-plan-schedule": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=member_of("collaborator_membership"),
        data=lambda tenant: {"plan": "reader-plus", "on": _in_days(5)},
    ),
    "contracts:member-plan-schedule-cancel": Entry(
        get=post_only(),
        post=org_admins(302),
        kwargs=lambda tenant: {
            **member_of("reader_membership")(tenant),
            "change_id": tenant.scheduled_change.pk,
        },
    ),
    "contracts:member-remove": Entry(
        get=org_admins(200),
        post=org_admins(302),
        kwargs=member_of("reader_membership"),
    ),
    # Surveys: members read them; their owner and the administrators
    # change them.
    "surveys:survey-create": Entry(
        get=logged_in(200), post=logged_in(422), swap_as=None
    ),
    "surveys:survey-detail": Entry(get=org_members(200), kwargs=survey),
    "surveys:question-add": Entry(
        get=post_only(), post=survey_managers(422), kwargs=draft
    ),
    "surveys:question-edit": Entry(
        get=survey_managers(200), post=survey_managers(422), kwargs=draft_question
    ),
    "surveys:question-move": Entry(
        get=post_only(),
        post=survey_managers(302),
        kwargs=draft_question,
        data=lambda tenant: {"direction": "up"},
    ),
    "surveys:question-delete": Entry(
        get=post_only(), post=survey_managers(302), kwargs=draft_question
    ),
    "surveys:survey-status": Entry(
        get=post_only(),
        post=survey_managers(302),
        kwargs=survey,
        data=lambda tenant: {"action": "close"},
    ),
    "surveys:link-create": Entry(
        get=post_only(), post=survey_managers(302), kwargs=survey
    ),
    "surveys:invitations-send": Entry(
        get=post_only(), post=survey_managers(422), kwargs=survey
    ),
    "surveys:branding": Entry(
        get=post_only(), post=survey_managers(302), kwargs=survey
    ),
    "surveys:survey-report": Entry(get=org_members(200), kwargs=survey),
    # The "Use my … seat" button of the report: members of the survey's
    # organization, back to the report whatever the answer.
    "surveys:report-real-data": Entry(
        get=post_only(), post=org_members(302), kwargs=survey
    ),
    # The owner (on Professional) exports; the reader and the administrator
    # are on Free, without automatic assignment: refused, back to the report.
    "surveys:report-export": Entry(
        get=post_only(),
        post=roles(404, anonymous=LOGIN, member=200, reader=302, admin=302),
        kwargs=survey,
    ),
    # The owner downloads their data on any plan; other members need to
    # read real data (Reader+ or better).
    "surveys:responses-download": Entry(
        get=roles(404, anonymous=LOGIN, member=200, reader=302, admin=302),
        kwargs=survey,
    ),
    # The respondent pages: public, behind tokens. Anyone holding the
    # token sees the survey; that is what the token is for.
    "surveys:respond-link": Entry(
        get=anyone(200),
        post=anyone(200),
        kwargs=link_token,
        swap_as=None,
        shows=survey_title,
    ),
    "surveys:respond-link-thanks": Entry(
        get=anyone(200), kwargs=link_token, swap_as=None, shows=survey_title
    ),
    "surveys:respond-invitation": Entry(
        get=anyone(200),
        post=anyone(200),
        kwargs=invitation_token,
        swap_as=None,
        shows=survey_title,
    ),
    "surveys:respond-invitation-thanks": Entry(
        get=anyone(200), kwargs=invitation_token, swap_as=None, shows=survey_title
    ),
    # The account's API tokens: everyone's own; a token of someone else is
    # 404 (A's administrator's token, B's for the swap).
    "api-tokens:token-list": Entry(
        get=logged_in(200),
        post=logged_in(200),
        data=lambda tenant: {"name": "Script", "scope": "read", "expiry": "30"},
        swap_as=None,
    ),
    "api-tokens:token-revoke": Entry(
        get=roles(404, anonymous=LOGIN, admin=200),
        post=roles(404, anonymous=LOGIN, admin=302),
        kwargs=lambda tenant: {"token_id": admin_token(tenant).pk},
    ),
}


def admin_token(tenant: Tenant) -> ApiToken:
    """A token of the tenant's administrator, made the first time."""
    token = ApiToken.objects.filter(user=tenant.admin).first()
    return token or api_token_create(user=tenant.admin, name="Matrix")[0]


def url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    """Every pattern of the URLconf, by qualified name; an unnamed one by
    its route, so that it fails the completeness test too."""
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                names.add(f"{namespace}{pattern.name}")
            else:
                names.add(f"{namespace}<unnamed {pattern.pattern}>")
    return names


def test_every_url_pattern_has_an_entry():
    """A URL added without an entry in the matrix fails here, by name; so
    does an entry whose pattern is gone. The admin is one entry."""
    names = url_names(get_resolver())
    admin_names = {name for name in names if name.startswith(f"{ADMIN_NAMESPACE}:")}
    assert admin_names, "the Django admin is no longer in the URLconf"
    api_names = {name for name in names if name.startswith(f"{API_NAMESPACE}:")}
    assert api_names == API_ENTRIES.keys(), sorted(api_names ^ API_ENTRIES.keys())
    own = names - admin_names - api_names
    missing = sorted(own - ENTRIES.keys())
    stale = sorted(ENTRIES.keys() - own)
    assert not missing, f"URL patterns without an access-matrix entry: {missing}"
    assert not stale, f"access-matrix entries without a URL pattern: {stale}"


def role_user(scenario: Scenario, role: str):
    return {
        "anonymous": None,
        "outsider": scenario.outsider,
        "member": scenario.a.collaborator,
        "reader": scenario.a.reader,
        "admin": scenario.a.admin,
        "admin_b": scenario.b.admin,
        "manager": scenario.a.manager,
        "staff": scenario.staff,
    }[role]


def forbidden(scenario: Scenario, role: str, entry: Entry) -> list[str]:
    """The strings that role may not read on that page."""
    if role in {"member", "reader", "admin", "manager", "swap"}:
        secrets = scenario.b.secrets()
    elif role == "admin_b":
        secrets = scenario.a.secrets()
    else:
        secrets = scenario.a.secrets() + scenario.b.secrets()
    shown = set(entry.shows(scenario.a))
    return [text for text in secrets if text not in shown]


def body(response) -> str:
    if response.streaming:
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.headers.get("Content-Type", "").startswith(XLSX):
        workbook = openpyxl.load_workbook(BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", errors="replace")


def requests_for(scenario: Scenario, name: str, role: str):
    """(label, url, method, data, expected) for each request of a case."""
    entry = ENTRIES[name]
    methods = [("GET", entry.get), ("POST", entry.post)]
    if role != "swap":
        kwargs = entry.kwargs(scenario.a) if entry.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        for method, expected in methods:
            if expected is not None:
                yield "A's ids", url, method, entry.data(scenario.a), expected[role]
        return
    ids_a = entry.kwargs(scenario.a)
    ids_b = entry.kwargs(scenario.b)
    keys = sorted(ids_a)
    for size in range(1, len(keys) + 1):
        for swapped in itertools.combinations(keys, size):
            kwargs = {key: ids_b[key] if key in swapped else ids_a[key] for key in keys}
            url = reverse(name, kwargs=kwargs)
            overrides = entry.swap_overrides.get(frozenset(swapped), {})
            for method, accepted in methods:
                if accepted is None:
                    continue
                expected = 404
                if accepted[entry.swap_as] == 405:
                    expected = 405
                expected = overrides.get(method, expected)
                label = f"B's {', '.join(swapped)}"
                yield label, url, method, entry.data(scenario.b), expected


CASES = [
    (name, role)
    for name, entry in ENTRIES.items()
    for role in (*ROLES, "swap")
    if role != "swap" or (entry.swap_as is not None and entry.kwargs is not None)
]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access(scenario, db, name, role):
    entry = ENTRIES[name]
    user = role_user(scenario, entry.swap_as if role == "swap" else role)
    secrets = forbidden(scenario, role, entry)
    for label, url, method, data, expected in requests_for(scenario, name, role):
        client = Client()
        if user is not None:
            client.force_login(user)
        refused = role == "swap" or expected in {LOGIN, 404, 405}
        before = snapshot(with_refusal_records=True) if method == "POST" else None
        response = client.get(url) if method == "GET" else client.post(url, data)
        where = f"{method} {url} ({label}) as {role}"
        if expected == LOGIN:
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith(
                reverse("accounts:login") + "?next="
            ), where
        else:
            assert response.status_code == expected, where
        if role == "swap" and response.status_code == 302:
            assert not response.headers["Location"].startswith(
                reverse("accounts:login")
            ), where
        text = body(response)
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{where} shows {leaked}"
        if before is not None and refused:
            assert not changes(before, snapshot(with_refusal_records=True)), where


def admin_urls(scenario: Scenario) -> list[str]:
    """The admin's index, and each registered model's list and one of its
    objects' change page."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_the_django_admin_is_for_staff_only(scenario, db, role):
    """The admin entry of the matrix: staff get every model's pages; anyone
    else is sent to the admin's login page, which shows nothing."""
    user = role_user(scenario, role)
    client = Client()
    if user is not None:
        client.force_login(user)
    for url in admin_urls(scenario):
        response = client.get(url)
        if role == "staff":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith(
                reverse("admin:login") + "?next="
            ), url


# The REST API (/api/v1/): every role calls it with a write token of its
# own, anonymous with none (401). Who gets what is the pages': members read
# the members and their plans, administrators the rest and the changes;
# another tenant's ids are 404, never 403. The OpenAPI document and its
# docs are public; the API's root is no page (404).


def api_org_members(status) -> dict[str, object]:
    return roles(404, anonymous=401, member=status, reader=status, admin=status)


def api_org_admins(status) -> dict[str, object]:
    return roles(404, anonymous=401, admin=status)


@dataclass(frozen=True)
class ApiEntry:
    """`methods`: per HTTP method, the status per role; `body`: the JSON a
    PUT sends."""

    methods: dict[str, dict[str, object]]
    kwargs: Callable[[Tenant], dict] | None = None
    body: dict | None = None
    swap_as: str | None = "admin"
    shows: Callable[[Tenant], list[str]] = lambda tenant: []
    query: str = ""


API_ENTRIES: dict[str, ApiEntry] = {
    "api:api-root": ApiEntry(methods={"GET": anyone(404)}, swap_as=None),
    "api:openapi-json": ApiEntry(methods={"GET": anyone(200)}, swap_as=None),
    "api:openapi-view": ApiEntry(methods={"GET": anyone(200)}, swap_as=None),
    "api:organization-list": ApiEntry(
        methods={"GET": roles(200, anonymous=401)}, swap_as=None
    ),
    "api:organization-detail": ApiEntry(
        methods={"GET": api_org_members(200)}, kwargs=organization
    ),
    "api:member-list": ApiEntry(
        methods={"GET": api_org_members(200)}, kwargs=organization
    ),
    "api:member-plan": ApiEntry(
        methods={"GET": api_org_members(200), "PUT": api_org_admins(200)},
        kwargs=member_of("collaborator_membership"),
        body={"plan": "free"},
    ),
    "api:member-plan-preview": ApiEntry(
        methods={"GET": api_org_admins(200)},
        kwargs=member_of("collaborator_membership"),
        query="?plan=free",
    ),
    "api:contract": ApiEntry(methods={"GET": api_org_admins(200)}, kwargs=organization),
    "api:event-list": ApiEntry(
        methods={"GET": api_org_admins(200)}, kwargs=organization
    ),
    "api:group-list": ApiEntry(
        methods={"GET": api_org_admins(200)}, kwargs=organization
    ),
}

API_CASES = [
    (name, role)
    for name, entry in API_ENTRIES.items()
    for role in (*ROLES, "swap")
    if role != "swap" or entry.swap_as is not None
]


def api_requests_for(scenario: Scenario, name: str, role: str):
    """(label, url, method, expected) for each request of an API case."""
    entry = API_ENTRIES[name]
    ids_a = entry.kwargs(scenario.a) if entry.kwargs else {}
    if role != "swap":
        url = reverse(name, kwargs=ids_a) + entry.query
        for method, expected in entry.methods.items():
            yield "A's ids", url, method, expected[role]
        return
    ids_b = entry.kwargs(scenario.b)
    keys = sorted(ids_a)
    for size in range(1, len(keys) + 1):
        for swapped in itertools.combinations(keys, size):
            kwargs = {key: ids_b[key] if key in swapped else ids_a[key] for key in keys}
            for method in entry.methods:
                label = f"B's {', '.join(swapped)}"
                url = reverse(name, kwargs=kwargs) + entry.query
                yield label, url, method, 404


@pytest.mark.parametrize(
    ("name", "role"), API_CASES, ids=[f"{n}-{r}" for n, r in API_CASES]
)
def test_api_access(scenario, db, name, role):
    entry = API_ENTRIES[name]
    user = role_user(scenario, entry.swap_as if role == "swap" else role)
    secrets = forbidden(scenario, role, entry)
    headers = {}
    if user is not None:
        _token, plaintext = api_token_create(
            user=user, name="Matrix", scope=Scope.WRITE
        )
        headers["Authorization"] = f"Bearer {plaintext}"
    client = Client(headers=headers)
    for label, url, method, expected in api_requests_for(scenario, name, role):
        before = snapshot(with_refusal_records=True) if method == "PUT" else None
        if method == "GET":
            response = client.get(url)
        else:
            response = client.put(url, entry.body, content_type="application/json")
        where = f"{method} {url} ({label}) as {role}"
        assert response.status_code == expected, where
        text = body(response)
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{where} shows {leaked}"
        if before is not None and expected != 200:
            assert not changes(before, snapshot(with_refusal_records=True)), where
