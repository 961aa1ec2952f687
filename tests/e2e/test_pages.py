"""Every page of the app, as each kind of person sees it over the demo data,
in English and in French, on a laptop (1280 px wide) and on a phone (390 ×
844): axe-core finds no serious or critical violation, no page logs a
console error or meets a CSP violation (`open_page` fails the test on
those), and on the phone no page scrolls sideways.

The crawl names its pages; the URLconf tells which it must cover, so a page
added later without being crawled fails here too."""

import datetime
import io
from urllib.parse import urlparse

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import (
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
)
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from accounts.models import User
from api.models import ApiToken
from contracts import services
from contracts.keep_links import keep_token
from contracts.models import Contract, Seat
from imports import services as import_services
from organizations.models import Membership, Organization
from plans.models import Feature, Plan
from scim.models import ScimToken
from surveys import services as survey_services
from surveys.models import Invitation, Survey
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

DEMO_PASSWORD = "demo"

# Views of the URLconf that are no page of their own: form posts whose
# pages (and, with htmx, whose fragments) are crawled, and files.
NOT_PAGES = {
    "accounts:logout": "a post from the user menu",
    "accounts:side-menu": "the side menu's toggle, a post",
    "contracts:auto-assign": "the switch's post",
    "organizations:directory-sync-create": "a post of the directory sync page",
    "contracts:alert-threshold": "a post of the contract page",
    "contracts:account-alert-threshold": "a post of the manager's contract page",
    "contracts:member-plan-schedule": "a post of the member page",
    "contracts:member-plan-schedule-cancel": "a post of the member page",
    "contracts:member-add": "a post of the members page",
    "contracts:member-bulk-plan": "a post of the members page",
    "contracts:member-list-plan": "a post of the members page",
    "contracts:member-bulk-group": "a post of the members page",
    "contracts:group-rename": "a post of the group page",
    "contracts:group-member-remove": "a post of the group page (its confirmation "
    "is the group delete page's template)",
    "contracts:group-plan": "a post of the group page",
    "contracts:member-export": "a CSV file",
    "imports:import-template": "a CSV file",
    "imports:import-report": "a CSV file",
    "imports:import-confirm": "a post of the import page",
    "contracts:member-auto-assign-include": "a post of the member page",
    "contracts:member-role": "a post of the member page",
    "contracts:waitlist-join": "a post of the report page",
    "contracts:waitlist-leave": "a post of the report and home pages",
    "contracts:plan-request": "a post of the home page",
    "contracts:waitlist-give": "a post of the contract page",
    "contracts:waitlist-decline": "a post of the contract page",
    "contracts:plan-request-give": "a post of the contract page",
    "contracts:plan-request-decline": "a post of the contract page",
    "surveys:question-add": "a post of the survey page",
    "surveys:question-move": "a post of the survey page",
    "surveys:question-delete": "a post of the survey page",
    "surveys:survey-status": "a post of the survey page",
    "surveys:link-create": "a post of the survey page",
    "surveys:invitations-send": "a post of the survey page",
    "surveys:branding": "a post of the survey page",
    "surveys:report-real-data": "a post of the report page",
    "surveys:report-export": "an Excel file",
    "surveys:responses-download": "a CSV file",
    "set_language": "the language switcher's post",
}
IMPORT_CSV = (
    b"email,name,role,plan\n"
    b"new.person@example.com,New Person,reader,Professional\n"
    b"not-an-email,,,\n"
)
# Django's admin is Django's own, for support staff: not crawled. The REST
# API answers JSON; its docs page (django-ninja's Swagger UI) is checked
# under the CSP in test_api_docs.py. SCIM is a JSON API for directories
# (tests/scim), not pages.
NOT_CRAWLED_NAMESPACES = {"admin", "api", "scim"}

WORDS = {
    "en": {
        "add_members": "Add members",
        "connect": "Connect",
        "contract": "Contract",
        "disconnect": "Disconnect",
        "free": "Free",
        "free_seat": "Free the seat",
        "generate": "Generate the key",
        "log_in": "Log in",
        "next": "Next",
        "password": "Password",
        "plan": "Plan",
        "remove": "Remove…",
        "send": "Send my answers",
        "use_key": "Use a connection key",
    },
    "fr": {
        "add_members": "Ajouter des membres",
        "connect": "Connecter",
        "contract": "Contrat",
        "disconnect": "Déconnecter",
        "free": "Gratuit",
        "free_seat": "Libérer la place",
        "generate": "Générer la clé",
        "log_in": "Se connecter",
        "next": "Suivant",
        "password": "Mot de passe",
        "plan": "Plan",
        "remove": "Retirer…",
        "send": "Envoyer mes réponses",
        "use_key": "Utiliser la clé de connexion",
    },
}


# The two screens of the crawl: a laptop's, and a phone's (an iPhone 14's).
LAPTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}

# How far the page reaches past the window's width, and the widest elements
# that reach past it (where the overflow comes from).
SIDEWAYS = """() => {
  const width = window.innerWidth;
  const past = document.documentElement.scrollWidth - width;
  if (past <= 0) return null;
  const culprits = [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .slice(-3)
    .map((element) => element.outerHTML.slice(0, 100));
  return `${past}px past ${width}px, from ${culprits.join(" | ")}`;
}"""


def sideways_problems(page, state=""):
    """The page, on its screen, scrolls sideways: a problem named with the
    elements that stick out."""
    where = page.url + (f" ({state})" if state else "")
    overflow = page.evaluate(SIDEWAYS)
    return [f"{where}: scrolls sideways, {overflow}"] if overflow else []


class Crawl:
    """Visits pages, runs axe on each, and remembers the views seen."""

    def __init__(self, open_page, browser_problems, language, screen=LAPTOP):
        self.open_page = open_page
        self.browser_problems = browser_problems
        self.language = language
        self.screen = screen
        self.violations = []
        self.views = set()

    def person(self, email=None):
        """A browser of its own, logged in as `email` (or anonymous)."""
        page = self.open_page(self.language)
        page.set_viewport_size(self.screen)
        if email:
            log_in(page, email, DEMO_PASSWORD, self.language)
        return page

    def visit(self, page, url, status=200):
        response = page.goto(url)
        assert response.status == status, f"{url}: {response.status}"
        if status != 200:
            # Chromium logs the status of a page it was asked for; only the
            # status was wanted here.
            self.browser_problems.remove(
                f"console on {page.url}: Failed to load resource: the server "
                f"responded with a status of {status} ({response.status_text})"
            )
        page.wait_for_load_state()
        self.check(page)
        return page

    def check(self, page, state=""):
        """Axe on the page as it is now (a dialog opened, a step swapped
        in); in English, the whole page with Tab too."""
        self.violations += axe_violations(page, state)
        if self.screen == PHONE:
            self.violations += sideways_problems(page, state)
        elif self.language == "en":
            self.violations += focus_problems(page, state)
        try:
            self.views.add(resolve(urlparse(page.url).path).view_name)
        except Resolver404:
            self.views.add("404")


# What the focus is on after a Tab: whether a person sees where it is.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return {
    html: element.outerHTML.slice(0, 120),
    shown: element.checkVisibility() && box.width > 1 && box.height > 1,
    ring: element.matches(":focus-visible") && style.outlineStyle !== "none"
      && parseFloat(style.outlineWidth) >= 2,
  };
}"""
# A full page of the members list alone holds 150 stops: 50 rows of a box,
# a link and a plan dropdown.
MOST_TABS = 250


def focus_problems(page, state=""):
    """Tab from the top of the page (or of the open dialog) round to where
    it started: every element the focus lands on must be visible and show
    the focus ring."""
    where = page.url + (f" ({state})" if state else "")
    problems = []
    seen = set()
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["html"] in seen:
            break
        seen.add(focused["html"])
        if not (focused["shown"] and focused["ring"]):
            problems.append(f"{where}: focus not shown on {focused['html']}")
    else:
        problems.append(f"{where}: Tab never comes round")
    return problems


def _url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_CRAWLED_NAMESPACES:
                continue
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            names |= _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def _demo():
    """The demo, and what it lacks for the crawl to meet every state: Globex
    connected with Dave's key, with a seat held and a plan asked for; a
    survey over the Free limit; a closed one; the colour of the palette with
    the least contrast on a survey's respondent pages."""
    call_command("demo_load", stdout=io.StringIO())
    people = {user.email.split("@")[0]: user for user in User.objects.all()}
    acme = Organization.objects.get(name="Acme")
    globex = Organization.objects.get(name="Globex")
    globex_contract = Contract.objects.get(reference="GLOBEX-2027")
    _key, plain = services.connection_key_generate(
        contract=globex_contract, actor=people["dave"]
    )
    services.contract_connect_with_key(
        organization=globex, key=plain, actor=people["erin"]
    )
    services.member_plan_set(
        organization=globex,
        user=people["erin"],
        plan=Plan.objects.get(code="professional"),
        actor=people["erin"],
    )
    frank = MembershipFactory(
        organization=globex, reader=True, user__full_name="Frank Roux"
    ).user
    services.plan_request_record(
        contract=globex_contract, user=frank, feature=Feature.REPORTS_REAL_DATA
    )

    over_limit = SurveyFactory(
        owner=people["member01"], organization=acme, open=True, title="Canteen"
    )
    responses_add(over_limit, 101, answers=False)
    closed = SurveyFactory(owner=people["bob"], closed=True, title="Old poll")
    linked = Survey.objects.get(title="Customer satisfaction 2027")
    survey_services.survey_set_branding(
        survey=linked, colour="green", logo="leaf", actor=people["bob"]
    )
    return {
        "people": people,
        "acme": acme,
        "globex": globex,
        "acme_contract": Contract.objects.get(reference="ACME-2027"),
        "globex_contract": globex_contract,
        "bob": Membership.objects.get(user=people["bob"]),
        "carol": Membership.objects.get(user=people["carol"]),
        "linked": linked,
        "emailed": Survey.objects.get(title="Team offsite feedback"),
        "draft": Survey.objects.get(title="Product ideas"),
        "over_limit_link": link_add(over_limit),
        "closed_link": link_add(closed),
    }


@transactional_db
@pytest.mark.parametrize("screen", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_passes_axe(open_page, browser_problems, language, screen):
    """On the phone, also: no page scrolls sideways."""
    words = WORDS[language]
    demo = _demo()
    people = demo["people"]
    acme, globex = demo["acme"], demo["globex"]
    acme_contract, globex_contract = demo["acme_contract"], demo["globex_contract"]
    crawl = Crawl(open_page, browser_problems, language, screen)
    visit = crawl.visit

    # Anyone: logging in, passwords, pricing, a missing page, respondents.
    page = crawl.person()
    visit(page, "/accounts/login/")
    page.get_by_label(words["password"]).fill("not the password")
    page.locator("main").get_by_role("button", name=words["log_in"]).click()
    page.wait_for_load_state()
    crawl.check(page, "login refused")
    visit(page, "/accounts/password-reset/")
    visit(page, "/accounts/password-reset/sent/")
    alice = people["alice"]
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    visit(page, f"/accounts/reset/{uid}/{token}/")
    visit(page, f"/accounts/reset/{uid}/expired-token/")
    visit(page, "/accounts/reset/done/")
    visit(page, "/plans/")
    visit(page, "/nowhere/", status=404)

    linked = demo["linked"]
    link = linked.distributions.get(channel="link")
    visit(page, link.get_absolute_url())
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_load_state()
    crawl.check(page, "answers missing")
    visit(page, f"/s/{link.token}/thanks/")
    visit(page, demo["over_limit_link"].get_absolute_url())
    visit(page, demo["closed_link"].get_absolute_url())
    visit(page, "/s/no-such-token/", status=404)
    invitations = Invitation.objects.filter(survey=demo["emailed"])
    unused = invitations.filter(used_at__isnull=True).first()
    used = invitations.filter(used_at__isnull=False).first()
    visit(page, unused.get_absolute_url())
    visit(page, used.get_absolute_url())
    visit(page, f"/i/{used.token}/thanks/")

    # Alice: Acme's administrator and ACME-2027's manager, not yet connected.
    page = crawl.person(alice.email)
    visit(page, "/")
    visit(page, "/organizations/")
    visit(page, acme.get_absolute_url())
    members_url = f"/organizations/{acme.pk}/members/"
    visit(page, members_url)
    visit(page, f"{members_url}?page=2")
    visit(page, f"{members_url}?q=nobody-by-that-name")
    bob = demo["bob"]
    visit(page, bob.get_absolute_url())
    page.get_by_role("link", name=words["remove"]).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    crawl.check(page, "remove dialog")
    visit(page, f"{bob.get_absolute_url()}remove/")
    contract_url = f"/organizations/{acme.pk}/contract/"
    visit(page, contract_url)
    page.get_by_role("button", name=words["connect"]).click()
    page.get_by_role("combobox", name=words["contract"]).select_option(
        label=words["use_key"]
    )
    crawl.check(page, "connect step")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_role("button", name=words["connect"])).to_be_visible()
    crawl.check(page, "key step")
    visit(page, f"{contract_url}connect/")
    visit(page, f"{contract_url}connect/key/")
    visit(page, "/account/")
    visit(page, "/account/password/")
    visit(page, "/account/contracts/")
    visit(page, acme_contract.get_absolute_url())
    page.get_by_role("button", name=words["add_members"]).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name=words["generate"])).to_be_visible()
    crawl.check(page, "key dialog")
    dialog.get_by_role("button", name=words["generate"]).click()
    expect(dialog.locator("code")).to_be_visible()
    crawl.check(page, "key dialog, key generated")
    visit(page, f"{acme_contract.get_absolute_url()}key/")
    directory_url = f"/organizations/{acme.pk}/directory-sync/"
    visit(page, directory_url)
    page.locator(f'form[action="{directory_url}tokens/"] button').click()
    expect(page.locator("#token-plain")).to_be_visible()
    crawl.check(page, "directory sync, token created")
    token = ScimToken.objects.get(organization=acme)
    visit(page, f"{directory_url}tokens/{token.pk}/revoke/")

    # ACME-2027 connected: the contract page, disconnecting, plans by hand.
    services.contract_connect(
        organization=acme, contract=acme_contract, actor=people["alice"]
    )
    visit(page, contract_url)
    page.get_by_role("link", name=words["disconnect"]).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    crawl.check(page, "disconnect dialog")
    visit(page, f"{contract_url}disconnect/")
    visit(page, f"{contract_url}idle-plans/")
    # Plans by group: the Groups page, a group mapped to a plan with members
    # holding it and waiting, and the delete confirmation naming who loses
    # a plan. The members page then offers the group filter and "Add to
    # group".
    research = services.group_create(
        organization=acme,
        name="Research",
        actor=people["alice"],
        memberships=[
            MembershipFactory(organization=acme, user__full_name=f"Gina {n}")
            for n in range(3)
        ],
    )
    services.group_plan_set(
        group=research,
        plan=Plan.objects.get(code="professional"),
        actor=people["alice"],
    )
    groups_url = f"/organizations/{acme.pk}/groups/"
    visit(page, groups_url)
    visit(page, f"{groups_url}{research.pk}/")
    visit(page, f"{groups_url}{research.pk}/delete/")
    visit(page, contract_url)
    visit(page, members_url)
    # The CSV import: the upload page, a dry run, a finished import.
    visit(page, f"{members_url}import/")
    for confirmed in (False, True):
        made = import_services.member_import_create(
            organization=acme,
            actor=alice,
            data=IMPORT_CSV,
            file_name="members.csv",
            base_url="http://testserver",
            send_invitations=False,
        )
        if confirmed:
            import_services.member_import_confirm(member_import=made, actor=alice)
        visit(page, made.get_absolute_url())
    visit(page, bob.get_absolute_url())
    page.get_by_role("combobox", name=words["plan"], exact=True).select_option(
        label=words["free"]
    )
    expect(page.get_by_role("dialog")).to_be_visible()
    crawl.check(page, "plan confirmation dialog")
    # Without JavaScript the same confirmation is a page of its own: the
    # form's native submit() goes past htmx.
    visit(page, bob.get_absolute_url())
    with page.expect_navigation():
        page.evaluate(
            """() => {
              const form = document.getElementById("plan-form");
              form.elements.plan.value = "free";
              form.submit();
            }"""
        )
    crawl.check(page, "plan confirmation page")

    # Bob: a collaborator with surveys (an open one by link, one by email,
    # a draft) and a Professional plan.
    page = crawl.person(people["bob"].email)
    visit(page, "/")
    visit(page, "/surveys/new/")
    for survey in (linked, demo["emailed"], demo["draft"]):
        visit(page, survey.get_absolute_url())
    question = demo["draft"].questions.first()
    visit(page, f"{demo['draft'].get_absolute_url()}questions/{question.pk}/edit/")
    visit(page, f"/surveys/{linked.pk}/report/")
    visit(page, acme.get_absolute_url())
    visit(page, members_url)
    visit(page, demo["carol"].get_absolute_url())
    visit(page, contract_url, status=404)

    # Carol: a reader without a plan reads a report with simulated data.
    page = crawl.person(people["carol"].email)
    visit(page, f"/surveys/{linked.pk}/report/")

    # Dave: GLOBEX-2027's manager, connected by his key, a seat held.
    page = crawl.person(people["dave"].email)
    visit(page, "/")
    visit(page, "/account/contracts/")
    visit(page, globex_contract.get_absolute_url())
    page.get_by_role("link", name=words["free_seat"]).first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    crawl.check(page, "seat dialog")
    seat = globex_contract.seats.get()
    visit(page, f"{globex_contract.get_absolute_url()}seats/{seat.pk}/release/")
    # His API tokens: one created (shown once), then its revocation asked.
    visit(page, "/account/api-tokens/")
    page.locator('input[name="name"]').fill("Reports")
    with page.expect_navigation():
        page.locator('input[name="name"]').press("Enter")
    expect(page.locator("#token-plain")).to_be_visible()
    crawl.check(page, "API token created")
    token = ApiToken.objects.get(user=people["dave"])
    visit(page, f"/account/api-tokens/{token.pk}/revoke/")

    # Erin: Globex's administrator, its contract connected, a plan asked for.
    page = crawl.person(people["erin"].email)
    visit(page, f"/organizations/{globex.pk}/contract/")

    # Erin's seat is idle: the "Keep my plan" page of her reminder, and a
    # plan change scheduled for Frank on his member page.
    today = timezone.localdate()
    Seat.objects.filter(pk=seat.pk).update(idle_reminded_on=today)
    seat.refresh_from_db()
    visit(crawl.person(), f"/keep-my-plan/{keep_token(seat=seat, until=today)}/")
    frank = Membership.objects.get(organization=globex, user__full_name="Frank Roux")
    services.plan_change_schedule(
        organization=globex,
        user=frank.user,
        plan=Plan.objects.get(code="professional"),
        on=today + datetime.timedelta(days=3),
        actor=people["erin"],
    )
    visit(page, frank.get_absolute_url())

    assert crawl.violations == [], "\n".join(crawl.violations)
    pages = _url_names() - set(NOT_PAGES)
    assert set(NOT_PAGES) <= _url_names(), "a view named here is gone"
    assert pages - crawl.views == set(), "pages the crawl does not visit"


@transactional_db
def test_the_checks_see_a_violation_of_each_kind(open_page, browser_problems):
    """What the crawl relies on: axe names a serious violation with its
    rule, node and URL, and a CSP violation reaches the problems that fail
    a test (which this test then forgives)."""
    page = open_page("en")
    page.goto("/plans/")
    assert axe_violations(page) == []
    page.evaluate(
        """() => {
          document.querySelector("main").append(document.createElement("button"));
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )
    [violation] = axe_violations(page, "a button without a name")
    assert violation.startswith(
        f"{page.url} (a button without a name): button-name (critical) #main > button"
    )
    assert not page.evaluate("window.ran === true")
    expect(page.get_by_role("button")).to_have_count(2)
    [csp] = [problem for problem in browser_problems if "CSP violation" in problem]
    assert csp.startswith(
        f"CSP violation on {page.url}: script-src-elem blocked inline at {page.url}:"
    )
    browser_problems.clear()
