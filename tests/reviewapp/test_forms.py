from hypothesis import given
from hypothesis import strategies as st

from reviewapp.forms import TermListField, TopicAreaForm

VALID = {"title": "Distance meetings", "key": "distance", "position": 1}


def test_topic_area_form_reports_inverted_years(project):
    form = TopicAreaForm({**VALID, "year_from": "2019", "year_to": "2000"}, project=project)
    assert not form.is_valid()
    assert form.errors["year_to"] == [
        "The last publication year (2000) is before the first (2019)."
    ]


def test_topic_area_form_reports_unknown_language_codes(project):
    form = TopicAreaForm({**VALID, "languages": "da, english, sv"}, project=project)
    assert not form.is_valid()
    assert "Unknown language code(s): english" in form.errors["languages"][0]


def test_topic_area_form_reports_a_year_out_of_range(project):
    form = TopicAreaForm({**VALID, "year_from": "20"}, project=project)
    assert not form.is_valid()
    assert "year_from" in form.errors


def test_topic_area_form_rejects_a_key_used_in_the_project(project, topic_area):
    form = TopicAreaForm({**VALID, "key": topic_area.key}, project=project)
    assert not form.is_valid()
    assert form.errors["key"] == ["Another topic area in this project uses this key."]


def test_topic_area_form_parses_terms_like_the_report(project):
    form = TopicAreaForm(
        {
            **VALID,
            "population_terms": "employment; unemployed;\njob-seekers; Unemployed",
            "languages": "da en,no; sv",
            "databases": "EconLit\nPsycInfo",
        },
        project=project,
    )
    assert form.is_valid(), form.errors
    fields = form.service_fields()
    assert fields["population_terms"] == ["employment", "unemployed", "job-seekers"]
    assert fields["languages"] == ["da", "en", "no", "sv"]
    assert fields["databases"] == ["EconLit", "PsycInfo"]


term = (
    st.text(
        alphabet=st.characters(blacklist_characters=";\n\r", blacklist_categories=("Cs",)),
        min_size=1,
    )
    .map(str.strip)
    .filter(bool)
)


@given(st.lists(term, max_size=8, unique_by=str.lower))
def test_term_list_round_trips(terms):
    field = TermListField()
    assert field.clean(field.prepare_value(terms)) == terms
