"""EndNote XML (File > Export > XML): <xml><records><record>...

EndNote wraps every value in <style> runs, sometimes several per value when the
formatting changes mid-title; `flatten` reads them as one text.
"""

from collections.abc import Iterator
from pathlib import Path

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError, ParseWarning
from .fields import first, first_year, one_line, page_range, paragraphs, values
from .xmltools import flatten, iter_records


def read_endnote_xml(
    path: Path, filename: str, encoding: str | None, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    found = False
    for element in iter_records(path, filename, ("record",), encoding):
        found = True
        yield endnote_xml_record(flatten(element, filename, warnings), element.sourceline or 0)
    if not found:
        raise ParseError(filename, "no EndNote records found: no <record> element.")


def endnote_xml_record(raw: dict[str, list[str]], line: int) -> ParsedRecord:
    accession = first(raw, "accession-num")
    database = first(raw, "remote-database-provider", "remote-database-name").lower()
    pubmed = accession.isdigit() and ("nlm" in database or "pubmed" in database)
    return ParsedRecord(
        title=one_line(first(raw, "titles/title")),
        abstract=paragraphs(first(raw, "abstract")),
        authors=[one_line(name) for name in values(raw, "contributors/authors/author")],
        year=first_year(first(raw, "dates/year"), first(raw, "dates/pub-dates/date")),
        journal=one_line(
            first(raw, "periodical/full-title", "titles/secondary-title", "periodical/abbr-1")
        ),
        volume=first(raw, "volume"),
        issue=first(raw, "number", "issue"),
        pages=page_range(first(raw, "pages")),
        doi=normalise_doi(first(raw, "electronic-resource-num")),
        pmid=accession if pubmed else "",
        url=first(raw, "urls/related-urls/url", "urls/web-urls/url"),
        keywords=[one_line(keyword) for keyword in values(raw, "keywords/keyword")],
        language=first(raw, "language"),
        publication_type=first(raw, "ref-type@name"),
        raw=raw,
        line=line,
    )
