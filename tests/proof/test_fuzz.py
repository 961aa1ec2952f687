"""Fuzzing: every form and HTMX endpoint gets malformed and hostile input,
sent by the person allowed to use it (so that the input reaches the forms
and the services, not the 404 in front of them).

The input: missing, extra and repeated fields, wrong types, unicode, NUL
bytes, strings of up to 100 kB, numbers far outside any column's range,
SQL, HTML, JavaScript and template syntax, addresses at and past the
length limits, the other tenant's ids (in the body and in the URL), and
HTMX headers on or off with known and made-up targets. Two passes:

- a sweep: each field of each endpoint gets each kind of hostile value in
  turn (the others plausible), and each URL argument each foreign or
  impossible id, so that no combination is left to chance;
- hypothesis: random combinations of all of it, several fields at once.

For every request: no 5xx (the test client raises the view's exception
itself, so a failure shows its traceback); streamed responses are read to
the end; when the request is refused (4xx, a form shown again with its
errors, an error message, the respondent's "inactive" page), the domain
tables are exactly as before, apart from what is recorded on purpose for a
refusal (a wrong connection key, a plan asked for); when it is accepted,
the domain's invariants still hold (seats within allotments, an
administrator in every organization, no automatic assignment without an
organization, response counters matching the rows).

Each request runs in a savepoint rolled back afterwards, so requests do not
see each other's changes; with `derandomize` the examples are the same on
every run. FUZZ_EXAMPLES=500 runs a longer search locally.

Replayed and reordered posts are in test_fuzz_sequences.py.
"""

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import services as contract_services
from imports.models import MemberImport
from organizations.models import Role
from plans.models import Plan
from surveys.models import BrandColour, BrandLogo, QuestionKind
from surveys.tokens import form_token_new
from tests.accounts.factories import PASSWORD
from tests.proof.scenario import Scenario, Tenant, scenario_kept
from tests.proof.state import changes, invariants_check, refused, snapshot
from tests.proof.test_access_matrix import admin_token

pytestmark = [
    # A cache key that memcached would refuse is an error waiting for a
    # deployment that uses it.
    pytest.mark.filterwarnings("error::django.core.cache.CacheKeyWarning"),
]

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    with scenario_kept(django_db_blocker) as built:
        yield built


# Hostile values, by kind


def email_of_length(length: int, *, domain_letter: str = "b") -> str:
    """A syntactically valid address of exactly `length` characters: a local
    part of 64, then labels of at most 63 characters."""
    local = "a" * 64
    rest = length - len(local) - 1 - len(".example")
    labels = []
    while rest > 0:
        size = min(63, rest)
        labels.append(domain_letter * size)
        rest -= size + 1
    return f"{local}@{'.'.join(labels)}.example"[:length]


NUL = ["\x00", "a\x00b", "alpha\x00", "\x00" * 5_000]
HUGE = [
    "A" * 100_000,
    "é" * 50_000,
    "9" * 20_000,
    "a@b.example, " * 3_000,
    "\n".join(["option"] * 5_000),
]
LONG_EMAILS = [
    email_of_length(254),
    email_of_length(255),
    email_of_length(300),
    email_of_length(320),
    # Lowercasing "İ" gives two characters: 254 typed, 255 stored.
    email_of_length(254, domain_letter="İ"),
]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "1e308",
    "NaN",
    "Infinity",
    "0x10",
    "²",
    "١٢٣",
    "9" * 30,
    str(2**63),
    str(-(2**63) - 1),
]
INJECTION = [
    "' OR '1'='1' --",
    "1; DROP TABLE accounts_user; --",
    "1 UNION SELECT email, password FROM accounts_user",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{ request.user.password }}",
    "{% debug %}",
    "%(email)s %s {0}",
    "../../../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "\r\nSet-Cookie: owned=1",
    "SEAT-0000-0000-0000-0000-0000-0000-0000-0000-0000",
]
ODD_TEXT = [" ", "\t\r\n", "\u202egnp.exe", "\ufeff", "😀" * 20, "İstanbul", "straße"]

# What the sweep sends to every field: one of each kind, and a repeated
# field.
SWEEP = [
    "",
    "a\x00b",
    HUGE[0],
    LONG_EMAILS[2],
    LONG_EMAILS[4],
    "²",
    "-1",
    str(2**63),
    INJECTION[0],
    INJECTION[3],
    ["1", "2"],
]
BAD_IDS = [0, 2**63, 10**30]
BAD_TOKENS = ["\x00", "a\x00b", "x" * 5_000, "%00", "..%2F", "İ", "' OR 1=1 --"]


def tenant_ids(scenario: Scenario) -> list[str]:
    """Every id of both tenants, as a form would send it."""
    ids = set()
    for tenant in (scenario.a, scenario.b):
        ids |= {
            tenant.organization.pk,
            tenant.admin.pk,
            tenant.collaborator.pk,
            tenant.manager.pk,
            tenant.admin_membership.pk,
            tenant.collaborator_membership.pk,
            tenant.reader_membership.pk,
            tenant.contract.pk,
            tenant.spare_contract.pk,
            tenant.seat.pk,
            tenant.survey.pk,
            tenant.draft.pk,
            *(question.pk for question in tenant.questions.values()),
            *(question.pk for question in tenant.draft_questions.values()),
        }
    return sorted(str(pk) for pk in ids)


def hostile(scenario: Scenario) -> st.SearchStrategy:
    """A hostile value, each kind as likely as the others; a list is sent
    as the same field repeated."""
    single = st.one_of(
        st.sampled_from(NUL),
        st.sampled_from(HUGE),
        st.sampled_from(LONG_EMAILS),
        st.sampled_from(NUMBERS),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.sampled_from(INJECTION),
        st.sampled_from(ODD_TEXT),
        st.text(max_size=30),
        st.just(""),
        st.sampled_from(tenant_ids(scenario)),
    )
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


# The endpoints


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def codes() -> list[str]:
    return list(Plan.objects.order_by("rank").values_list("code", flat=True))


@dataclass(frozen=True)
class Endpoint:
    """One form or HTMX endpoint, and how to drive it.

    `actor`: who sends it (None: anonymous). `kwargs`: the URL's arguments,
    A's own first, then others (the other tenant's, other objects). `fields`:
    the form's fields with plausible values, the first one the baseline.
    `query`: fields sent in the query string (also for a POST). `prepare`:
    a change made first, in the request's savepoint (e.g. disconnect A, so
    that connecting can succeed)."""

    name: str
    actor: Callable[[Scenario], object]
    method: str = "POST"
    kwargs: Callable[[Scenario], dict[str, list]] = lambda s: {}
    fields: Callable[[Scenario], dict[str, list]] = lambda s: {}
    query: Callable[[Scenario], dict[str, list]] = lambda s: {}
    targets: tuple[str, ...] = ()
    prepare: Callable[[Scenario], None] | None = None


def scim_token_id(tenant) -> int:
    """A token of the tenant's directory (the scenario has none)."""
    from scim.models import ScimToken

    token, _ = ScimToken.objects.get_or_create(
        organization=tenant.organization,
        name="Fuzz",
        defaults={"prefix": "scim_fuzz", "digest": f"fuzz-{tenant.label}"},
    )
    return token.pk


def organization_id(s: Scenario) -> dict:
    return {"organization_id": [s.a.organization.pk, s.b.organization.pk]}


def membership_ids(s: Scenario) -> dict:
    return {
        **organization_id(s),
        "membership_id": [
            s.a.collaborator_membership.pk,
            s.a.reader_membership.pk,
            s.a.admin_membership.pk,
            s.b.collaborator_membership.pk,
        ],
    }


def group_ids(s: Scenario) -> dict:
    return {**organization_id(s), "group_id": [s.a.group.pk, s.b.group.pk]}


def member_import_ids(s: Scenario) -> dict:
    """A's and B's import of a file with no line, made on first use."""
    ids = [
        MemberImport.objects.get_or_create(
            organization=tenant.organization,
            file_name="fuzz.csv",
            defaults={"content": "email\r\n", "base_url": "http://testserver"},
        )[0].pk
        for tenant in (s.a, s.b)
    ]
    return {**organization_id(s), "import_id": ids}


def contract_id(s: Scenario) -> dict:
    return {"contract_id": [s.a.contract.pk, s.b.contract.pk, s.a.spare_contract.pk]}


def survey_id(attribute: str) -> Callable[[Scenario], dict]:
    def kwargs(s: Scenario) -> dict:
        own = getattr(s.a, attribute)
        others = [s.a.survey, s.a.draft, s.b.survey, s.b.draft]
        return {"survey_id": [own.pk, *(o.pk for o in others if o != own)]}

    return kwargs


def draft_question_ids(s: Scenario) -> dict:
    return {
        **survey_id("draft")(s),
        "question_id": [
            *(question.pk for question in s.a.draft_questions.values()),
            s.a.questions["text"].pk,
            s.b.draft_questions["text"].pk,
        ],
    }


def disconnect_a(s: Scenario) -> None:
    contract_services.contract_disconnect(
        organization=s.a.organization, actor=s.a.admin
    )


def key_variants(tenant: Tenant) -> list[str]:
    key = tenant.key_plaintext
    return [key, key.lower(), key.replace("-", " "), key[:-1], key + "0"]


def respond_fields(s: Scenario) -> dict:
    """Answers to A's questions, and form tokens served by both tenants'
    pages (by link and by invitation). B's question ids come as extra
    fields in the hypothesis pass."""
    fields = {}
    for tenant in (s.a,):
        for kind, question in tenant.questions.items():
            if kind == QuestionKind.CHOICE:
                values = [str(option.pk) for option in question.options.all()]
            elif kind == QuestionKind.RATING:
                values = ["4", "1", "5"]
            else:
                values = ["Fine", "Très bien"]
            fields[f"q{question.pk}"] = values
    fields["form_token"] = [
        form_token_new(tenant.survey, invitation)
        for tenant in (s.a, s.b)
        for invitation in (None, tenant.invitation)
    ]
    return fields


NEW_PASSWORD = "a much longer passphrase 42"

ENDPOINTS = [
    # Accounts
    Endpoint(
        "accounts:login",
        actor=lambda s: None,
        fields=lambda s: {
            "username": [s.a.admin.email, s.b.admin.email.upper()],
            "password": [PASSWORD],
        },
        query=lambda s: {"next": ["/", "/account/"]},
    ),
    Endpoint(
        "accounts:password-reset",
        actor=lambda s: None,
        fields=lambda s: {"email": [s.a.admin.email]},
    ),
    Endpoint(
        "accounts:password-reset-confirm",
        actor=lambda s: None,
        kwargs=lambda s: {
            "uidb64": [urlsafe_base64_encode(force_bytes(s.a.admin.pk)), "MQ"],
            "token": ["set-password", "abc-123"],
        },
        fields=lambda s: {
            "new_password1": [NEW_PASSWORD],
            "new_password2": [NEW_PASSWORD],
        },
    ),
    Endpoint(
        "accounts:profile",
        actor=lambda s: s.a.collaborator,
        fields=lambda s: {"full_name": ["Ada Lovelace", ""]},
    ),
    Endpoint(
        "accounts:password",
        actor=lambda s: s.a.collaborator,
        fields=lambda s: {
            "old_password": [PASSWORD],
            "new_password1": [NEW_PASSWORD],
            "new_password2": [NEW_PASSWORD],
        },
    ),
    Endpoint(
        "accounts:side-menu",
        actor=lambda s: s.a.collaborator,
        fields=lambda s: {"next": ["/", "/account/"]},
    ),
    Endpoint(
        "set_language",
        actor=lambda s: s.a.collaborator,
        fields=lambda s: {"language": ["fr", "en"], "next": ["/", "/account/"]},
    ),
    # Searched, filtered, paged lists; partials picked by HX-Target
    Endpoint(
        "home",
        actor=lambda s: s.a.collaborator,
        method="GET",
        fields=lambda s: {"page": ["1", "2", "last"]},
        targets=("survey-list",),
    ),
    Endpoint(
        "contracts:organization-contract",
        actor=lambda s: s.a.admin,
        method="GET",
        kwargs=organization_id,
        fields=lambda s: {"page": ["1", "2", "last"]},
        targets=("history", "connect-step"),
    ),
    Endpoint(
        "contracts:account-contract-detail",
        actor=lambda s: s.a.manager,
        method="GET",
        kwargs=contract_id,
        fields=lambda s: {
            "q": ["alpha", s.b.collaborator.email],
            "page": ["1", "2"],
            "history_page": ["1", "2"],
        },
        targets=("seat-results", "history"),
    ),
    Endpoint(
        "contracts:member-list",
        actor=lambda s: s.a.admin,
        method="GET",
        kwargs=organization_id,
        fields=lambda s: {
            "q": ["alpha", "bravo", "@"],
            "plan": codes(),
            "page": ["1", "2"],
            "sort": ["name", "-since", "plan", "-role", "--name", "\x00"],
        },
        targets=("member-results",),
    ),
    Endpoint(
        "contracts:member-export",
        actor=lambda s: s.a.admin,
        method="GET",
        kwargs=organization_id,
        fields=lambda s: {"q": ["alpha", "bravo"], "plan": codes()},
    ),
    # Connecting (A is disconnected first, so that it can succeed)
    Endpoint(
        "contracts:connect",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {
            "contract": [
                str(s.a.spare_contract.pk),
                "key",
                str(s.a.contract.pk),
                str(s.b.contract.pk),
                str(s.b.spare_contract.pk),
            ]
        },
        targets=("connect-step",),
        prepare=disconnect_a,
    ),
    Endpoint(
        "contracts:connect-key",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"key": key_variants(s.a) + key_variants(s.b)},
        targets=("connect-step",),
        prepare=disconnect_a,
    ),
    Endpoint("contracts:disconnect", actor=lambda s: s.a.admin, kwargs=organization_id),
    # Directory sync: a new token, a revocation (of A's token, B's, none).
    Endpoint(
        "organizations:directory-sync-create",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"name": ["Entra ID", "x" * 100, "Okta"]},
    ),
    Endpoint(
        "organizations:directory-sync-revoke",
        actor=lambda s: s.a.admin,
        kwargs=lambda s: {
            **organization_id(s),
            "token_id": [scim_token_id(s.a), scim_token_id(s.b)],
        },
    ),
    Endpoint(
        "contracts:auto-assign",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"enabled": ["on", "", "false", "0"]},
    ),
    # Seats over time
    Endpoint(
        "contracts:alert-threshold",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"plan": codes(), "threshold": ["1", "", "0", "2"]},
    ),
    Endpoint(
        "contracts:idle-policy",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {
            "enabled": ["on", ""],
            "remind_days": ["30", "1", "3650"],
            "reclaim_days": ["7", "1", "3650"],
        },
    ),
    Endpoint(
        "contracts:idle-policy",
        actor=lambda s: s.a.admin,
        method="GET",
        kwargs=organization_id,
        query=lambda s: {
            "preview": ["1"],
            "remind_days": ["30", "1"],
            "reclaim_days": ["7", "1"],
        },
    ),
    Endpoint(
        "contracts:idle-keep",
        actor=lambda s: None,
        kwargs=lambda s: {"token": [s.a.keep_token, s.b.keep_token, "made-up"]},
    ),
    Endpoint(
        "contracts:member-plan-schedule",
        actor=lambda s: s.a.admin,
        kwargs=membership_ids,
        fields=lambda s: {
            "plan": codes(),
            "on": [_in_days(5), _in_days(0), _in_days(-1), "2999-12-31"],
            "confirmed": ["1", ""],
        },
    ),
    Endpoint(
        "contracts:member-plan-schedule-cancel",
        actor=lambda s: s.a.admin,
        kwargs=lambda s: {
            **organization_id(s),
            "membership_id": [s.a.reader_membership.pk, s.b.reader_membership.pk],
            "change_id": [s.a.scheduled_change.pk, s.b.scheduled_change.pk],
        },
    ),
    # The contract manager's pages
    Endpoint(
        "contracts:key-generate",
        actor=lambda s: s.a.manager,
        kwargs=contract_id,
        fields=lambda s: {"in_dialog": ["1", "0"]},
        targets=("key-panel",),
    ),
    Endpoint(
        "contracts:account-alert-threshold",
        actor=lambda s: s.a.manager,
        kwargs=contract_id,
        fields=lambda s: {"plan": codes(), "threshold": ["1", "", "0"]},
    ),
    Endpoint(
        "contracts:seat-release",
        actor=lambda s: s.a.manager,
        kwargs=lambda s: {**contract_id(s), "seat_id": [s.a.seat.pk, s.b.seat.pk]},
    ),
    # The account's API tokens: created, and revoked (one's own; another
    # person's is 404)
    Endpoint(
        "api-tokens:token-list",
        actor=lambda s: s.a.collaborator,
        fields=lambda s: {
            "name": ["Reporting script", ""],
            "scope": ["read", "write"],
            "expiry": ["30", "90", "365", "never"],
        },
    ),
    Endpoint(
        "api-tokens:token-revoke",
        actor=lambda s: s.a.admin,
        kwargs=lambda s: {"token_id": [admin_token(s.a).pk, admin_token(s.b).pk]},
    ),
    # The members pages
    Endpoint(
        "contracts:member-add",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {
            "email": [
                "new-person@alpha-people.example",
                "New.Person@Alpha-People.EXAMPLE",
                s.a.reader.email,
                s.b.admin.email,
            ],
            "role": Role.values,
        },
        query=lambda s: {"q": ["alpha"]},
        targets=("member-results",),
    ),
    Endpoint(
        "contracts:member-bulk-plan",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {
            "bulk-members": [
                [str(s.a.collaborator_membership.pk), str(s.a.reader_membership.pk)],
                str(s.a.admin_membership.pk),
                [str(s.a.reader_membership.pk), str(s.b.reader_membership.pk)],
            ],
            "bulk-plan": codes(),
        },
        query=lambda s: {"q": ["alpha"], "plan": codes(), "page": ["2"]},
        targets=("member-bulk-panel",),
    ),
    Endpoint(
        "contracts:member-bulk-group",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {
            "bulk-members": [
                [str(s.a.collaborator_membership.pk), str(s.a.reader_membership.pk)],
                [str(s.a.reader_membership.pk), str(s.b.reader_membership.pk)],
            ],
            "bulk-group": [str(s.a.group.pk), str(s.b.group.pk), "x", ""],
        },
        query=lambda s: {"q": ["alpha"], "group": [str(s.a.group.pk), "x"]},
    ),
    # The organization's groups (plans by group).
    Endpoint(
        "contracts:group-list",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"name": ["Lab", s.a.group.name, "", "x" * 201]},
    ),
    Endpoint(
        "contracts:group-rename",
        actor=lambda s: s.a.admin,
        kwargs=group_ids,
        fields=lambda s: {"name": ["Lab", s.a.group.name, "", "x" * 201]},
    ),
    Endpoint("contracts:group-delete", actor=lambda s: s.a.admin, kwargs=group_ids),
    Endpoint(
        "contracts:group-member-remove",
        actor=lambda s: s.a.admin,
        kwargs=group_ids,
        fields=lambda s: {
            "member": [
                str(s.a.collaborator_membership.pk),
                str(s.a.reader_membership.pk),
                str(s.b.collaborator_membership.pk),
                "x",
            ],
            "confirmed": ["1", ""],
        },
    ),
    Endpoint(
        "contracts:group-plan",
        actor=lambda s: s.a.admin,
        kwargs=group_ids,
        fields=lambda s: {"plan": [*codes(), ""], "confirmed": ["1", ""]},
    ),
    Endpoint(
        "imports:import-new",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"file": ["email\r\n", ""], "send_invitations": ["on", ""]},
    ),
    Endpoint(
        "imports:import-confirm",
        actor=lambda s: s.a.admin,
        kwargs=member_import_ids,
    ),
    Endpoint(
        "contracts:member-role",
        actor=lambda s: s.a.admin,
        kwargs=membership_ids,
        fields=lambda s: {"role": Role.values},
    ),
    Endpoint(
        "contracts:member-plan",
        actor=lambda s: s.a.admin,
        kwargs=membership_ids,
        fields=lambda s: {"plan": codes(), "confirmed": ["1", ""]},
    ),
    Endpoint(
        "contracts:member-list-plan",
        actor=lambda s: s.a.admin,
        kwargs=membership_ids,
        fields=lambda s: {
            "plan": codes(),
            "confirmed": ["1", ""],
            "bulk-members": [[str(s.a.collaborator_membership.pk)], ["x"]],
        },
        query=lambda s: {"q": ["alpha"], "sort": ["-plan", "nope"], "page": ["2"]},
    ),
    Endpoint(
        "contracts:member-remove", actor=lambda s: s.a.admin, kwargs=membership_ids
    ),
    Endpoint(
        "contracts:member-auto-assign-include",
        actor=lambda s: s.a.admin,
        kwargs=membership_ids,
    ),
    # The waitlist and the requests for a plan
    Endpoint(
        "contracts:waitlist-join",
        actor=lambda s: s.a.reader,
        kwargs=organization_id,
        fields=lambda s: {
            "feature": ["report_export", "reports_real_data", "nothing"],
            "next": ["/", "https://elsewhere.example/"],
        },
    ),
    Endpoint(
        "contracts:waitlist-leave",
        actor=lambda s: s.a.reader,
        kwargs=organization_id,
        fields=lambda s: {"next": ["/", "//elsewhere.example/"]},
    ),
    Endpoint(
        "contracts:plan-request",
        actor=lambda s: s.a.reader,
        kwargs=organization_id,
        fields=lambda s: {"reason": ["For the reports.", "", "x" * 501]},
    ),
    Endpoint(
        "contracts:waitlist-give",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"entry": ["1", "0", "-1"]},
    ),
    Endpoint(
        "contracts:waitlist-decline",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"entry": ["1", "0", "-1"]},
    ),
    Endpoint(
        "contracts:plan-request-give",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"request": ["1", "0"], "plan": codes()},
    ),
    Endpoint(
        "contracts:plan-request-decline",
        actor=lambda s: s.a.admin,
        kwargs=organization_id,
        fields=lambda s: {"request": ["1", "0"]},
    ),
    # Surveys
    Endpoint(
        "surveys:survey-create",
        actor=lambda s: s.a.collaborator,
        fields=lambda s: {
            "title": ["Lunch", "Déjeuner d’équipe"],
            "description": ["", "Tell us."],
            "place": ["", str(s.a.organization.pk), str(s.b.organization.pk)],
        },
    ),
    Endpoint(
        "surveys:question-add",
        actor=lambda s: s.a.collaborator,
        kwargs=survey_id("draft"),
        fields=lambda s: {
            "text": ["How was it?", "Votre avis ?"],
            "kind": QuestionKind.values,
            "options": ["Yes\nNo", "One\n\nOne\nTwo", ""],
            "required": ["on", ""],
        },
        targets=("questions",),
    ),
    Endpoint(
        "surveys:question-edit",
        actor=lambda s: s.a.collaborator,
        kwargs=draft_question_ids,
        fields=lambda s: {
            "text": ["How was it, really?", "Votre avis ?"],
            "kind": QuestionKind.values,
            "options": ["Yes\nNo", "One\n\nOne\nTwo", ""],
            "required": ["on", ""],
        },
    ),
    Endpoint(
        "surveys:question-move",
        actor=lambda s: s.a.collaborator,
        kwargs=draft_question_ids,
        fields=lambda s: {"direction": ["up", "down"]},
    ),
    Endpoint(
        "surveys:question-delete",
        actor=lambda s: s.a.collaborator,
        kwargs=draft_question_ids,
    ),
    Endpoint(
        "surveys:survey-status",
        actor=lambda s: s.a.collaborator,
        kwargs=survey_id("survey"),
        fields=lambda s: {"action": ["close", "open"]},
    ),
    Endpoint(
        "surveys:link-create",
        actor=lambda s: s.a.collaborator,
        kwargs=survey_id("survey"),
    ),
    Endpoint(
        "surveys:invitations-send",
        actor=lambda s: s.a.collaborator,
        kwargs=survey_id("survey"),
        fields=lambda s: {
            "emails": [
                "one@example.test, two@example.test",
                s.a.invitation.email,
                "not-an-address",
            ]
        },
    ),
    Endpoint(
        "surveys:branding",
        actor=lambda s: s.a.collaborator,
        kwargs=survey_id("survey"),
        fields=lambda s: {"colour": BrandColour.values, "logo": BrandLogo.values},
    ),
    Endpoint(
        "surveys:report-real-data",
        actor=lambda s: s.a.reader,
        kwargs=survey_id("survey"),
    ),
    Endpoint(
        "surveys:report-export",
        actor=lambda s: s.a.reader,
        kwargs=survey_id("survey"),
    ),
    # The respondent pages
    Endpoint(
        "surveys:respond-link",
        actor=lambda s: None,
        kwargs=lambda s: {"token": [s.a.link.token, s.b.link.token]},
        fields=respond_fields,
    ),
    Endpoint(
        "surveys:respond-invitation",
        actor=lambda s: None,
        kwargs=lambda s: {"token": [s.a.invitation.token, s.b.invitation.token]},
        fields=respond_fields,
    ),
]
ENDPOINT_IDS = [endpoint.name for endpoint in ENDPOINTS]


# Sending and judging


@dataclass
class Sent:
    method: str
    url: str
    data: dict
    headers: dict


def sent_build(
    endpoint: Endpoint,
    kwargs: dict,
    data: dict,
    query: dict,
    headers: dict,
) -> Sent:
    url = reverse(endpoint.name, kwargs=kwargs)
    if query:
        url += "?" + urlencode(query, doseq=True)
    return Sent(endpoint.method, url, data, headers)


def send(client: Client, sent: Sent):
    if sent.method == "GET":
        response = client.get(sent.url, sent.data, headers=sent.headers)
    else:
        response = client.post(sent.url, sent.data, headers=sent.headers)
    if response.streaming:
        # A streamed view fails while streaming, after its status is sent.
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def sessions(scenario, db) -> Callable[[object], str]:
    """The session cookie of a person logged in once for the whole test, so
    that each request need not log in again (the requests' savepoints roll
    back whatever they do to the session)."""
    cookies = {}

    def cookie(user) -> str:
        if user.pk not in cookies:
            client = Client()
            client.force_login(user)
            cookies[user.pk] = client.cookies[django_settings.SESSION_COOKIE_NAME]
        return cookies[user.pk].value

    return cookie


def exchange(scenario: Scenario, sessions, endpoint: Endpoint, sent: Sent) -> None:
    """Send one request in a savepoint and check what it did."""
    client = Client()
    actor = endpoint.actor(scenario)
    if actor is not None:
        # Logged in outside the savepoint, which would take the session too.
        client.cookies[django_settings.SESSION_COOKIE_NAME] = sessions(actor)
    with transaction.atomic():
        cache.clear()
        if endpoint.prepare is not None:
            endpoint.prepare(scenario)
        before = snapshot()
        response = send(client, sent)
        assert response.status_code < 500, sent
        if actor is not None:
            assert response.wsgi_request.user == actor, "not logged in"
        if refused(response):
            difference = changes(before, snapshot())
            assert not difference, (response.status_code, sent, difference)
        else:
            # Refused requests changed nothing, so the rules still hold.
            invariants_check()
        transaction.set_rollback(True)


# The sweep


def sweep(scenario: Scenario, endpoint: Endpoint):
    """Each field with each kind of hostile value, or missing; each URL
    argument with each foreign or impossible id; the rest plausible."""
    kwargs = endpoint.kwargs(scenario)
    fields = endpoint.fields(scenario)
    query = endpoint.query(scenario)
    base_kwargs = {name: values[0] for name, values in kwargs.items()}
    base_fields = {name: values[0] for name, values in fields.items()}
    base_query = {name: values[0] for name, values in query.items()}
    # Without htmx, with it, and with each partial the view knows, in turn.
    htmx = [
        {},
        {"HX-Request": "true"},
        *({"HX-Request": "true", "HX-Target": target} for target in endpoint.targets),
    ]
    yield sent_build(endpoint, base_kwargs, base_fields, base_query, {})
    for name, values in kwargs.items():
        bad = BAD_IDS if isinstance(values[0], int) else BAD_TOKENS
        for index, value in enumerate([*values[1:], *bad]):
            yield sent_build(
                endpoint,
                {**base_kwargs, name: value},
                base_fields,
                base_query,
                htmx[index % len(htmx)],
            )
    for in_query, plausible in ((False, base_fields), (True, base_query)):
        for name in plausible:
            without = {key: v for key, v in plausible.items() if key != name}
            for index, value in enumerate([None, *SWEEP]):
                changed = without if value is None else {**plausible, name: value}
                yield sent_build(
                    endpoint,
                    base_kwargs,
                    base_fields if in_query else changed,
                    changed if in_query else base_query,
                    htmx[index % len(htmx)],
                )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_each_field_refuses_each_kind_of_hostile_value(scenario, sessions, endpoint):
    for sent in sweep(scenario, endpoint):
        exchange(scenario, sessions, endpoint, sent)


# Hypothesis


def htmx_headers(targets: tuple[str, ...]) -> st.SearchStrategy:
    target = st.one_of(st.sampled_from(targets or ("main",)), st.text(max_size=20))
    return st.one_of(
        st.just({}),
        st.just({"HX-Request": "true"}),
        target.map(lambda value: {"HX-Request": "true", "HX-Target": value}),
        # A target without HX-Request: django-htmx ignores it.
        target.map(lambda value: {"HX-Target": value}),
    )


def url_values(values: list) -> st.SearchStrategy:
    """Mostly A's own, sometimes another's, or one that cannot exist."""
    if isinstance(values[0], int):
        impossible = st.integers(min_value=0, max_value=2**80)
    else:
        impossible = st.one_of(
            st.sampled_from(BAD_TOKENS), st.text(min_size=1, max_size=40)
        ).filter(lambda token: "/" not in token and token not in {".", ".."})
    return st.one_of(
        st.just(values[0]), st.just(values[0]), st.sampled_from(values), impossible
    )


_strategies: dict[tuple[int, str], st.SearchStrategy] = {}


def request_strategy(scenario: Scenario, endpoint: Endpoint) -> st.SearchStrategy:
    """Built once per endpoint and scenario, not once per example."""
    key = (id(scenario), endpoint.name)
    if key not in _strategies:
        _strategies[key] = _request_strategy(scenario, endpoint)
    return _strategies[key]


def _request_strategy(scenario: Scenario, endpoint: Endpoint) -> st.SearchStrategy:
    def values(plausible: list) -> st.SearchStrategy:
        return st.one_of(st.sampled_from(plausible), hostile(scenario))

    kwargs = {
        name: url_values(plausible)
        for name, plausible in endpoint.kwargs(scenario).items()
    }
    fields = {
        name: values(plausible) for name, plausible in endpoint.fields(scenario).items()
    }
    # Fields the view does not expect, some named like an id.
    fields.update({name: hostile(scenario) for name in ("extra", "id", "pk")})
    query = {
        name: values(plausible) for name, plausible in endpoint.query(scenario).items()
    }
    return st.builds(
        sent_build,
        endpoint=st.just(endpoint),
        kwargs=st.fixed_dictionaries(kwargs),
        data=st.fixed_dictionaries({}, optional=fields),
        query=st.fixed_dictionaries({}, optional=query),
        headers=htmx_headers(endpoint.targets),
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
@FUZZ
@given(data=st.data())
def test_hostile_combinations_are_refused_without_error_or_change(
    scenario, sessions, endpoint, data
):
    sent = data.draw(request_strategy(scenario, endpoint), label="request")
    exchange(scenario, sessions, endpoint, sent)


def test_every_form_and_htmx_endpoint_is_fuzzed():
    """Every URL that accepts a POST is driven here, and so is every GET
    that reads query parameters or picks a partial by HX-Target."""
    from tests.proof.test_access_matrix import ENTRIES

    posting = {name for name, entry in ENTRIES.items() if entry.post is not None}
    # Django's own logout, which reads nothing of the request.
    posting -= {"accounts:logout"}
    # SCIM reads JSON with a bearer token, not forms with a session: tests/scim
    # and scim2-tester (tests/scim/test_compliance.py) drive it.
    posting -= {name for name in posting if name.startswith("scim:")}
    assert posting <= set(ENDPOINT_IDS), sorted(posting - set(ENDPOINT_IDS))
