"""Issue 10, point 17, in a browser: French pages write "1er" for the first
of the month, elide before a name ("de l’organisation Acme"), and name the
plans in French; the survey editor (English and French) has a wide question
box, options only for choice questions, questions editable while a draft,
and "Open the survey" says first that the questions then freeze."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from contracts import services
from contracts.models import Contract
from organizations.models import Organization
from surveys.models import Distribution, Survey
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db

pytestmark = transactional_db

FRENCH_PLANS = ["Gratuit", "Lecteur+", "Essentiel", "Professionnel"]


def test_french_pages_write_1er_elide_and_name_the_plans(open_page):
    call_command("demo_load", verbosity=0)
    linked = Survey.objects.get(title="Customer satisfaction 2027")
    first_of_june = timezone.make_aware(datetime.datetime(2027, 6, 1, 10, 0))
    Distribution.objects.filter(survey=linked, channel="link").update(
        created_at=first_of_june
    )
    acme = Organization.objects.get(name="Acme")
    alice = acme.memberships.get(user__email="alice@acme.example").user
    services.contract_connect(
        organization=acme,
        contract=Contract.objects.get(reference="ACME-2027"),
        actor=alice,
    )

    page = open_page("fr")
    log_in(page, "bob@acme.example", "demo", "fr")
    page.goto(linked.get_absolute_url())
    sending = page.get_by_role("region", name="Envoi")
    expect(sending).to_contain_text("Par lien depuis le 1er juin 2027")

    page = open_page("fr")
    log_in(page, alice.email, "demo", "fr")
    page.goto(f"/organizations/{acme.pk}/contract/disconnect/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Déconnecter le contrat ACME-2027 de l’organisation Acme ?"
    )

    page.goto("/plans/")
    headers = page.get_by_role("columnheader")
    expect(headers).to_have_text(FRENCH_PLANS)
    main = page.get_by_role("main")
    for english in ("Starter", "Professional", "Reader+", "Free"):
        expect(main).not_to_contain_text(english)


WORDS = {
    "en": {
        "type": "Type",
        "options": "Options",
        "choice": "Single choice",
        "text": "Free text",
        "questions": "Questions",
        "open": "Open the survey",
        "freeze": "The questions cannot change once the survey has been opened.",
        "edit": "Edit “What should we improve?”",
        "save": "Save the question",
    },
    "fr": {
        "type": "Type",
        "options": "Options",
        "choice": "Choix unique",
        "text": "Texte libre",
        "questions": "Questions",
        "open": "Ouvrir l’enquête",
        "freeze": "Les questions ne peuvent plus changer une fois l’enquête ouverte.",
        "edit": "Modifier « What should we improve? »",
        "save": "Enregistrer la question",
    },
}
# The question's own box (its label is "Question:", or "Question :").
QUESTION = re.compile(r"^Question\W*$")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_survey_editor(open_page, language):
    words = WORDS[language]
    call_command("demo_load", verbosity=0)
    draft = Survey.objects.get(title="Product ideas")
    page = open_page(language)
    log_in(page, "bob@acme.example", "demo", language)
    page.goto(draft.get_absolute_url())

    # Opening says first that the questions then freeze.
    opening = page.get_by_role("button", name=words["open"])
    expect(opening).to_have_accessible_description(words["freeze"])
    expect(page.get_by_text(words["freeze"])).to_be_visible()

    # The question box is wide; the options show for a choice question.
    questions = page.get_by_role("region", name=words["questions"])
    box = questions.get_by_role("textbox", name=QUESTION)
    width = box.bounding_box()["width"]
    assert width >= 0.8 * questions.bounding_box()["width"]
    options = questions.get_by_label(words["options"])
    kind = questions.get_by_label(words["type"])
    expect(options).to_be_hidden()
    kind.select_option(label=words["choice"])
    expect(options).to_be_visible()
    kind.select_option(label=words["text"])
    expect(options).to_be_hidden()
    assert axe_violations(page) == []

    # A question of the draft changes.
    questions.get_by_role("link", name=words["edit"], exact=True).click()
    expect(page.get_by_role("textbox", name=QUESTION)).to_have_value(
        "What should we improve?"
    )
    expect(page.get_by_label(words["options"])).to_be_hidden()
    assert axe_violations(page, "editing a question") == []
    page.get_by_role("textbox", name=QUESTION).fill("What should we change?")
    page.get_by_label(words["type"]).select_option(label=words["choice"])
    page.get_by_label(words["options"]).fill("The colours\nThe questions")
    page.get_by_role("button", name=words["save"], exact=True).click()

    questions = page.get_by_role("region", name=words["questions"])
    expect(questions.get_by_role("status")).to_be_visible()
    expect(questions.get_by_role("status")).to_be_in_viewport()
    item = questions.get_by_role("listitem").filter(has_text="What should we change?")
    expect(item).to_contain_text(words["choice"])
    expect(item).to_contain_text("The colours")
    assert axe_violations(page, "question saved") == []
