"""The French catalogue is complete, and the compiled one matches it."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR, "locale", "fr", "LC_MESSAGES", "django.po")
MO = PO.with_suffix(".mo")


def _entries():
    """(msgid, msgid_plural, [msgstr...], fuzzy) for each entry of the .po."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        fields = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append(
                (_unescape(fields["msgid"]), fields.get("msgid_plural"), strs, block)
            )
    return entries


def _unescape(text):
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def test_every_entry_is_translated():
    entries = _entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, _plural, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _plural, _strs, block in entries if "#, fuzzy" in block]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    """`make messages` was run after the last translation."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for msgid, plural, strs, _block in _entries():
        if plural:
            continue
        if compiled.gettext(msgid) != _unescape(strs[0]):
            stale.append(msgid)
    assert stale == []


@pytest.mark.django_db
def test_language_follows_the_browser(client):
    response = client.get(reverse("accounts:login"), headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in response.text
    assert "Se connecter" in response.text


@pytest.mark.django_db
def test_switcher_sets_the_language(client):
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("plans:pricing")}
    )
    assert response.status_code == 302
    page = client.get(reverse("plans:pricing"))
    assert '<html lang="fr">' in page.text
    assert 'value="en"' in page.text
