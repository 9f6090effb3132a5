"""Every user-facing string has a Danish translation, and the compiled catalogue
matches the source. CI runs `make messages` first, so a new string without a
translation fails here."""

import re
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "da" / "LC_MESSAGES"


def _entries(catalogue) -> dict[str, str]:
    return {entry.msgid: entry.msgstr for entry in catalogue if entry.msgid}


def test_danish_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], "untranslated; run `make messages` and translate"
    assert fuzzy == [], "fuzzy translations need checking"


def test_compiled_catalogue_matches_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    assert _entries(mo) == _entries(po), "run `make messages` to recompile django.mo"


PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _pairs(entry) -> list[tuple[str, str]]:
    """(source, translation) pairs; plural entries pair the singular with the first
    form and the plural with every other form."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [(entry.msgid, forms[0])] + [(entry.msgid_plural, form) for form in forms[1:]]


def test_placeholders_survive_translation():
    po = polib.pofile(str(LOCALE / "django.po"))
    for entry in po.translated_entries():
        for source, translation in _pairs(entry):
            assert sorted(PLACEHOLDER.findall(source)) == sorted(
                PLACEHOLDER.findall(translation)
            ), source
