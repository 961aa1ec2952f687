"""Issue 10, point 16, in a browser, in English and in French, on a laptop
and on a phone: buttons keep a gap from the panel below them; a field's
error shows under it without moving the labels and the button of its row;
the confirmation of a save shows in the panel of the form saved, in view;
the "Draft" badge is neutral, not red, and readable."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from surveys.models import Survey
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.e2e.test_pages import LAPTOP, PHONE
from tests.markers import transactional_db

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "draft": "Draft",
        "look": "Look of the respondent pages",
        "colour": "Colour",
        "green": "Green",
        "save": "Save",
        "saved": "The respondent pages’ look is saved.",
        "sending": "Sending",
        "emails": "Email addresses",
        "send": "Send the invitations",
    },
    "fr": {
        "draft": "Brouillon",
        "look": "Apparence des pages des répondants",
        "colour": "Couleur",
        "green": "Vert",
        "save": "Enregistrer",
        "saved": "L’apparence des pages des répondants est enregistrée.",
        "sending": "Envoi",
        "emails": "Adresses e-mail",
        "send": "Envoyer les invitations",
    },
}

# The smallest gap between a button (or a link shown as one) and a panel
# below it that it overlaps sideways, or the bottom edge of the panel it is
# in: what a person would see as touching.
BUTTON_GAPS = """() => {
  const buttons = [...document.querySelectorAll("main button, main .button")]
    .filter((button) => button.checkVisibility());
  const panels = [...document.querySelectorAll("main .panel")];
  let smallest = null;
  for (const button of buttons) {
    const b = button.getBoundingClientRect();
    for (const panel of panels) {
      const p = panel.getBoundingClientRect();
      const overlaps = b.left < p.right && p.left < b.right;
      let gap = null;
      if (panel.contains(button)) gap = p.bottom - b.bottom;
      else if (overlaps && p.top >= b.bottom - 1) gap = p.top - b.bottom;
      if (gap !== null && (smallest === null || gap < smallest.gap)) {
        smallest = { gap, button: button.outerHTML.slice(0, 80) };
      }
    }
  }
  return smallest;
}"""


def _bob(open_page, language, screen):
    call_command("demo_load", verbosity=0)
    page = open_page(language)
    page.set_viewport_size(screen)
    log_in(page, "bob@acme.example", "demo", language)
    return page


@pytest.mark.parametrize("screen", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_buttons_never_touch_the_panel_below(open_page, language, screen):
    page = _bob(open_page, language, screen)
    pages = [
        Survey.objects.get(title="Product ideas").get_absolute_url(),
        Survey.objects.get(title="Customer satisfaction 2027").get_absolute_url(),
    ]
    for url in pages:
        page.goto(url)
        smallest = page.evaluate(BUTTON_GAPS)
        assert smallest is not None, url
        assert smallest["gap"] >= 8, (url, smallest)


def test_the_draft_badge_is_neutral_and_readable(open_page, language):
    page = _bob(open_page, language, LAPTOP)
    page.goto(Survey.objects.get(title="Product ideas").get_absolute_url())
    badge = page.get_by_text(WORDS[language]["draft"], exact=True)
    expect(badge).to_be_visible()
    colours = badge.evaluate(
        """(badge) => {
          const rgb = (value) => value.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
          const style = getComputedStyle(badge);
          return { text: rgb(style.color), back: rgb(style.backgroundColor) };
        }"""
    )
    for red, green, blue in colours.values():
        # Grey: no channel far above the others (red would be).
        assert max(red, green, blue) - min(red, green, blue) <= 40, colours
    assert _contrast(colours["text"], colours["back"]) >= 4.5, colours
    assert axe_violations(page) == []


def _contrast(one, other):
    def luminance(rgb):
        channels = []
        for value in rgb:
            value /= 255
            channels.append(
                value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
            )
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("screen", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_save_is_confirmed_in_the_saved_form(open_page, language, screen):
    words = WORDS[language]
    page = _bob(open_page, language, screen)
    page.goto(Survey.objects.get(title="Customer satisfaction 2027").get_absolute_url())
    panel = page.get_by_role("region", name=words["look"])
    panel.get_by_label(words["colour"]).select_option(label=words["green"])
    panel.get_by_role("button", name=words["save"]).click()

    panel = page.get_by_role("region", name=words["look"])
    confirmation = panel.get_by_role("status").filter(has_text=words["saved"])
    expect(confirmation).to_be_visible()
    expect(confirmation).to_be_in_viewport()
    # Only there: not at the top of the page, out of view.
    expect(page.get_by_text(words["saved"])).to_have_count(1)
    assert axe_violations(page, "saved") == []


@pytest.mark.parametrize("screen", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_an_error_leaves_the_row_where_it_was(
    open_page, browser_problems, language, screen
):
    """The invitations' row: the addresses and the button. An error under
    the field moves neither the label nor the button beside it."""
    words = WORDS[language]
    page = _bob(open_page, language, screen)
    page.goto(Survey.objects.get(title="Customer satisfaction 2027").get_absolute_url())
    sending = page.get_by_role("region", name=words["sending"])
    before = _row(sending, words)

    sending.get_by_label(words["emails"]).fill("not-an-address, nor-this-one")
    sending.get_by_role("button", name=words["send"]).click()
    sending = page.get_by_role("region", name=words["sending"])
    field = sending.get_by_label(words["emails"])
    expect(field).to_have_value("not-an-address, nor-this-one")
    error = sending.locator(".errorlist")
    expect(error).to_contain_text("not-an-address")
    after = _row(sending, words)
    if screen == LAPTOP:
        assert after == before
    else:
        # On a phone the button is on a line of its own, under the field:
        # the error pushes it down, the label stays.
        assert after[0] == before[0]
        assert after[1][1] > before[1][1]
    # The error is under the field, not beside it.
    assert error.bounding_box()["y"] > field.bounding_box()["y"]
    assert axe_violations(page, "error") == []
    # The refusal's status, which Chromium logs, is the point here.
    browser_problems.remove(
        f"console on {page.url}: Failed to load resource: the server "
        "responded with a status of 422 (Unprocessable Content)"
    )


def _row(sending, words):
    """Where the label and the button are in their form (rounded px)."""
    form = sending.locator("form", has=sending.page.get_by_label(words["emails"]))
    origin = form.bounding_box()
    return [
        (round(box["x"] - origin["x"]), round(box["y"] - origin["y"]))
        for box in (
            form.locator("label", has_text=words["emails"]).bounding_box(),
            form.get_by_role("button", name=words["send"]).bounding_box(),
        )
    ]
