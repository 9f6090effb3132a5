"""Every user-facing string has a Danish translation, and the compiled catalogue
matches the source. CI runs `make messages` first, so a new string without a
translation fails here."""

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


def test_placeholders_survive_translation():
    po = polib.pofile(str(LOCALE / "django.po"))
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for entry in po.translated_entries():
        assert sorted(placeholder.findall(entry.msgid)) == sorted(
            placeholder.findall(entry.msgstr)
        ), entry.msgid
