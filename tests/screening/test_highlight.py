import html
import re

from hypothesis import given
from hypothesis import strategies as st

from screening.highlight import highlight


def test_marks_include_and_exclude_keywords_as_whole_words():
    marked = highlight("Caseload and age of caseworkers", ["caseload"], ["age"])
    assert marked == (
        '<mark class="kw-include">Caseload</mark> and '
        '<mark class="kw-exclude">age</mark> of caseworkers'
    )


def test_star_matches_any_ending_and_phrases_match_across_spaces():
    marked = highlight("Unemployed people in job  search", ["unemploy*", "job search"])
    assert '<mark class="kw-include">Unemployed</mark>' in marked
    assert '<mark class="kw-include">job  search</mark>' in marked


def test_record_markup_is_escaped_before_marking():
    marked = highlight('<script>alert(1)</script> caseload & "amp"', ["caseload", "amp"])
    assert "<script>" not in marked
    assert "&lt;script&gt;" in marked
    assert "&amp;" in marked  # the entity is never split by a mark
    assert '<mark class="kw-include">amp</mark>' in marked


@given(
    text=st.text(max_size=200),
    keywords=st.lists(st.text(min_size=1, max_size=10), max_size=4),
)
def test_marking_never_changes_the_text_and_never_lets_markup_through(text, keywords):
    marked = highlight(text, keywords, ["and"])
    unmarked = re.sub(r'</?mark(?: class="kw-(?:include|exclude)")?>', "", marked)
    assert html.unescape(unmarked) == text
    assert "<" not in unmarked
