"""The record shape shared by the importers and de-duplication (no Django here).

Parsers yield `ParsedRecord`s; the import service stores them as `Record` rows;
de-duplication reads the same fields back. Keeping one plain shape means a
parser can be tested without a database and dedup scored without a parser.
"""

import re
from dataclasses import dataclass, field, fields

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"10\.\d{4,9}/\S+")


def normalise_doi(value: str) -> str:
    """'https://doi.org/10.1000/ABC.' -> '10.1000/abc'; '' when no DOI is in the text."""
    text = _DOI_PREFIX.sub("", (value or "").strip())
    match = _DOI_SHAPE.search(text)
    if not match:
        return ""
    return match.group(0).rstrip(".,;)]}").lower()


@dataclass(slots=True)
class ParsedRecord:
    """One bibliographic record as read from an export file."""

    title: str = ""
    abstract: str = ""
    # In the order given; "Last, First" where the source says which part is which.
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""  # normalised with normalise_doi
    pmid: str = ""
    url: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    publication_type: str = ""
    raw: dict[str, list[str]] = field(default_factory=dict)  # every field as read, by tag
    line: int = 0  # 1-based line in the file where the record starts (0: not known)


# The record's bibliographic fields, defined once by ParsedRecord: every list of them (the
# CSV mapping's fields, the COPY column order of the import, what de-duplication compares,
# the API's record) is derived from these. `raw` and `line` are not fields a person reads.
RECORD_FIELDS: tuple[str, ...] = tuple(
    item.name for item in fields(ParsedRecord) if item.name not in ("raw", "line")
)
# What de-duplication compares (`screening.dedup.DedupRecord`, after its id): the fields
# that identify a work, not those that describe it.
DEDUP_COMPARED_FIELDS: tuple[str, ...] = tuple(
    name
    for name in RECORD_FIELDS
    if name not in ("abstract", "url", "keywords", "language", "publication_type")
)
