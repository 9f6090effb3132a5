import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

RIS_TEMPLATE = """TY  - JOUR
TI  - {title}
AU  - {author}
AU  - Second, Author
PY  - {year}
JO  - {journal}
VL  - {volume}
SP  - {start}
EP  - {end}
DO  - {doi}
AB  - {abstract}
"""
RIS_TEMPLATE += "ER  - \n"  # the space after the dash is part of the RIS end tag

STUDIES = [
    {
        "title": "Caseworker caseloads and the duration of unemployment",
        "author": "Hainmueller, Jens",
        "year": 2016,
        "journal": "Journal of Public Economics",
        "volume": 141,
        "start": 1,
        "end": 20,
        "doi": "10.1016/j.jpubeco.2016.07.001",
        "abstract": "Lower caseloads shorten unemployment.",
    },
    {
        "title": "Do meetings at a distance help job seekers find work?",
        "author": "Cheung, Maria",
        "year": 2017,
        "journal": "Labour Economics",
        "volume": 44,
        "start": 100,
        "end": 118,
        "doi": "10.1016/j.labeco.2017.01.004",
        "abstract": "Remote meetings compared with in person.",
    },
    {
        "title": "Caseworker-client matching by gender and job finding",
        "author": "Behncke, Stefanie",
        "year": 2010,
        "journal": "The Economic Journal",
        "volume": 120,
        "start": 1430,
        "end": 1459,
        "doi": "10.1111/j.1468-0297.2010.02382.x",
        "abstract": "Similar caseworkers and clients.",
    },
]


def ris_text(studies) -> str:
    return "\n".join(RIS_TEMPLATE.format(**study) for study in studies)


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def ris_upload():
    return lambda name="econlit.ris", studies=STUDIES: upload(name, ris_text(studies))


def bib_entry(number: int, abstract: str) -> str:
    """One Scopus-style BibTeX entry, twelve lines with the blank one after it."""
    return (
        f"@ARTICLE{{Author{number}2020,\n"
        "author = {Jensen, A. and Smith, B.},\n"
        f"title = {{Crayfish survey {number}}},\n"
        "journal = {Freshwater Biology},\n"
        "year = {2020},\n"
        f"doi = {{10.1000/fb.{number}}},\n"
        f"abstract = {{{abstract}}},\n"
        "author_keywords = {crayfish; rivers},\n"
        "document_type = {Article},\n"
        "source = {Scopus},\n"
        "}\n\n"
    )


def damaged_bib(entries: int = 5, damaged: tuple[int, ...] = (2, 4)) -> str:
    """A Scopus export whose `damaged` entries hold an abstract with an unclosed "{"."""
    return "".join(
        bib_entry(
            number,
            "White-footed Crayfish {Austropotamobius pallipes were surveyed."
            if number in damaged
            else f"Rivers were sampled ({number}).",
        )
        for number in range(1, entries + 1)
    )
