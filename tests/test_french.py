"""French typography and words (issue 10, point 17): "1er" for the first of
the month wherever a date shows, elision before names that start with a
vowel, the plans' French names everywhere, and support called "le support".

The catalogue checks read locale/fr/LC_MESSAGES/django.po, so a string added
later that breaks a rule fails here."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from config.dates import date_format
from plans.models import Plan
from tests.accounts.factories import PASSWORD, UserFactory
from tests.contracts.factories import ContractFactory
from tests.test_i18n import _entries

FIRST_OF_JUNE = datetime.date(2027, 6, 1)

# The plans' names, English and French: translated everywhere (the glossary
# translates Free as "Gratuit"; the others follow).
PLAN_NAMES = {
    "Free": "Gratuit",
    "Reader+": "Lecteur+",
    "Starter": "Essentiel",
    "Professional": "Professionnel",
}


def _render(template, **context):
    return Template(template).render(Context(context))


@pytest.mark.parametrize(
    ("language", "first", "second", "moment"),
    [
        ("fr", "1er juin 2027", "2 juin 2027", "1er juin 2027 à 14:30"),
        ("en", "June 1, 2027", "June 2, 2027", "June 1, 2027, 2:30 p.m."),
    ],
)
def test_the_first_of_the_month_is_1er_in_french(language, first, second, moment):
    """The `date` filter of every template and `date_format` of the code."""
    at = datetime.datetime(2027, 6, 1, 14, 30)
    with translation.override(language):
        assert _render('{{ d|date:"DATE_FORMAT" }}', d=FIRST_OF_JUNE) == first
        assert _render("{{ d|date }}", d=FIRST_OF_JUNE) == first
        assert _render(
            '{{ d|date:"DATE_FORMAT" }}', d=FIRST_OF_JUNE.replace(day=2)
        ) == (second)
        assert _render('{{ t|date:"DATETIME_FORMAT" }}', t=at) == moment
        assert date_format(FIRST_OF_JUNE) == first
        assert date_format(at, "DATETIME_FORMAT") == moment
        # Formats without the day as a number are left alone.
        assert _render('{{ d|date:"d/m/Y" }}', d=FIRST_OF_JUNE) == "01/06/2027"


def test_the_date_filter_keeps_its_other_behaviour():
    with translation.override("fr"):
        assert _render('{{ d|date:"DATE_FORMAT" }}', d=None) == ""
        assert _render('{{ d|date:"DATE_FORMAT" }}', d="") == ""
        assert _render('{{ t|date:"H:i" }}', t=datetime.time(9, 5)) == "09:05"


@pytest.mark.django_db
def test_a_contract_ending_on_the_first_says_1er_on_its_page(client):
    dave = UserFactory()
    contract = ContractFactory(
        managers=[dave],
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=FIRST_OF_JUNE.replace(year=timezone.localdate().year + 1),
    )
    client.login(email=dave.email, password=PASSWORD)
    page = client.get(
        reverse("contracts:account-contract-detail", args=[contract.pk]),
        headers={"Accept-Language": "fr"},
    )
    assert f"1er juin {contract.ends_on.year}" in page.text
    assert f" 1 juin {contract.ends_on.year}" not in page.text


def _french():
    """(msgid, [msgstr...]) of the catalogue."""
    return [(msgid, strs) for msgid, _plural, strs, _block in _entries()]


# A word that elides before a vowel, then a name that may start with one
# ("de %(organization)s" reads "de Acme" where French says "d’Acme").
NAMES = r"%\((?:name|organization|member|actor|owner|email|title|person|user)\)s"
UNELIDED = re.compile(
    rf"(?<![-\w])(?:de|le|la|que|ne|je|me|te|se|ce|jusque|lorsque|puisque)\s+(?:{NAMES}|"
    r"[aeiouyéèêëàâîïôûAEIOUYÉÈÊÀÂÎÔÛ])"
)


def test_no_french_string_leaves_out_an_elision():
    """Names that may start with a vowel come after words that need no
    elision ("à", "de l’organisation", "occupée par"), and words before a
    vowel are elided."""
    wrong = [
        (msgid, text)
        for msgid, strs in _french()
        for text in strs
        if UNELIDED.search(text)
    ]
    assert wrong == []


def test_the_check_sees_a_missing_elision():
    assert UNELIDED.search("Déconnecter le contrat de %(organization)s ?")
    assert UNELIDED.search("le plan de Acme")
    assert not UNELIDED.search("Déconnecter le contrat de l’organisation Acme ?")
    assert not UNELIDED.search("Le plan de Globex")


def test_plan_names_are_french_in_every_french_string():
    french = dict(_french())
    for english, name in PLAN_NAMES.items():
        assert french[english] == [name]
    english_names = re.compile(r"\b(?:Free|Starter|Professional)\b|Reader\+")
    leftover = [
        (msgid, text)
        for msgid, strs in _french()
        for text in strs
        if english_names.search(text)
    ]
    assert leftover == []
    # A sentence naming the Free plan names it "Gratuit".
    about_free = [
        msgid
        for msgid, _strs in _french()
        if re.search(r"\bFree (?:plan|limit|is)\b|the Free\b", msgid)
    ]
    assert about_free
    assert all("Gratuit" in french[msgid][0] for msgid in about_free)


@pytest.mark.django_db
def test_the_plans_show_their_french_names():
    with translation.override("fr"):
        names = {plan.name: plan.display_name for plan in Plan.objects.all()}
    assert names == PLAN_NAMES


def test_support_is_called_le_support():
    about_support = [
        (msgid, strs) for msgid, strs in _french() if re.search(r"\bsupport\b", msgid)
    ]
    assert len(about_support) >= 5
    wrong = [
        (msgid, text)
        for msgid, strs in about_support
        for text in strs
        if not re.search(r"\b[Ll]e support\b", text) or "(support)" in text
    ]
    assert wrong == []
