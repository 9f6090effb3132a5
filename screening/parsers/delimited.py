"""CSV and TSV exports: Scopus, Embase, IEEE Xplore, SpringerLink, PubMed, Zotero, Covidence...

A table has no fixed vocabulary, so a column mapping (ParsedRecord field -> column
name) says which column holds what. Without one, the columns are matched against
the presets of the databases we know, then against common header names. The
mapping UI reads `csv_columns`, pre-fills from `csv_guess_mapping`, and passes the
user's choice back to `parse_file(csv_mapping=...)`.

Decisions on odd tables:
- The delimiter is whichever of tab, semicolon or comma the header row uses most.
- Blank rows are not records. A row identical to the header is the header of a
  second export pasted below the first and is skipped too.
- Missing cells are empty; cells beyond the header are kept in `raw` as "column N".
"""

import ast
import csv
import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from screening.bibrecord import RECORD_FIELDS, ParsedRecord, normalise_doi

from .errors import ParseError, ParseWarning
from .fields import RawFields, one_line, page_range, paragraphs, parse_year
from .textio import CELL_LIMIT, LINE_LIMIT, detect_encoding, table_lines

# The fields a CSV column can map to: the record's fields (screening.bibrecord).
CSV_FIELDS: list[str] = list(RECORD_FIELDS)

# Common header names per field, compared lower-case with everything but letters and
# digits removed ("Publication Year" -> "publicationyear"). Earlier names win.
# rispy's field names are here because ASReview and others export tables with them.
_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "ti", "t1", "articletitle", "documenttitle", "itemtitle", "primarytitle"),
    "abstract": ("abstract", "ab", "n2", "abstractnote", "notesabstract", "summary"),
    "authors": (
        "authors",
        "author",
        "authornames",
        "authorname",
        "au",
        "a1",
        "firstauthors",
        "creators",
        "creator",
    ),
    "year": (
        "year",
        "py",
        "publicationyear",
        "pubyear",
        "yearpublished",
        "publishedyear",
        "y1",
        "date",
        "publicationdate",
        "pubdate",
    ),
    "journal": (
        "journal",
        "journaltitle",
        "journalname",
        "sourcetitle",
        "source",
        "publicationtitle",
        "publication",
        "secondarytitle",
        "alternatetitle3",
        "t2",
        "jo",
        "jf",
        "so",
        "journalbook",
    ),
    "volume": ("volume", "vl", "vol", "journalvolume"),
    "issue": ("issue", "number", "is", "no", "journalissue"),
    "pages": ("pages", "page", "pg", "pagerange", "startpage", "pagestart", "firstpage"),
    "doi": ("doi", "do", "di", "itemdoi"),
    "pmid": ("pmid", "pubmedid", "medlinepmid", "pubmed"),
    "url": ("url", "link", "ur", "urls", "links"),
    "keywords": ("keywords", "keyword", "kw", "authorkeywords", "de", "tags", "subjects"),
    "language": ("language", "la", "lang", "languageoforiginaldocument", "articlelanguage"),
    "publication_type": (
        "publicationtype",
        "documenttype",
        "type",
        "typeofreference",
        "itemtype",
        "contenttype",
        "ty",
        "pt",
        "dt",
    ),
}
# A page column names its end-page partner: Scopus "Page start"/"Page end",
# IEEE "Start Page"/"End Page".
_END_PAGE = {
    "pagestart": "pageend",
    "startpage": "endpage",
    "firstpage": "lastpage",
    "sp": "ep",
    "bp": "ep",
}


@dataclass(frozen=True)
class CsvPreset:
    """A database's CSV export: columns that identify it, and where each field is."""

    signatures: tuple[frozenset[str], ...]  # any one set of columns, all present, identifies it
    columns: dict[str, tuple[str, ...]]  # field -> candidate columns, the first present wins


CSV_PRESETS: dict[str, CsvPreset] = {
    "scopus": CsvPreset(
        signatures=(
            frozenset({"EID", "Source title"}),
            frozenset({"Author(s) ID", "Source title"}),
        ),
        columns={
            "title": ("Title",),
            "abstract": ("Abstract",),
            "authors": ("Authors",),
            "year": ("Year",),
            "journal": ("Source title",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Page start",),
            "doi": ("DOI",),
            "pmid": ("PubMed ID",),
            "url": ("Link",),
            "keywords": ("Author Keywords", "Index Keywords"),
            "language": ("Language of Original Document",),
            "publication_type": ("Document Type",),
        },
    ),
    "embase": CsvPreset(
        signatures=(
            frozenset({"Emtree Medical Index Terms"}),
            frozenset({"Emtree Drug Index Terms"}),
        ),
        columns={
            "title": ("Title",),
            "abstract": ("Abstract",),
            "authors": ("Author Names",),
            "year": ("Publication Year", "Source"),
            "journal": ("Source title", "Source"),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("First Page",),
            "doi": ("DOI",),
            "pmid": ("Medline PMID",),
            "url": ("Embase Link", "Full Text Link"),
            "keywords": ("Author Keywords", "keywords", "Emtree Medical Index Terms"),
            "language": ("Article Language",),
            "publication_type": ("Publication Type",),
        },
    ),
    "ieee": CsvPreset(
        signatures=(
            frozenset({"Document Title", "Author Affiliations"}),
            frozenset({"Affiliations", "Publication", "Category"}),
        ),
        columns={
            "title": ("Document Title", "Title"),
            "abstract": ("Abstract",),
            "authors": ("Authors",),
            "year": ("Publication Year", "Year"),
            "journal": ("Publication Title", "Publication"),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Start Page",),
            "doi": ("DOI",),
            "url": ("PDF Link",),
            "keywords": ("Author Keywords",),
            "publication_type": ("Document Identifier", "Category"),
        },
    ),
    "springerlink": CsvPreset(
        signatures=(frozenset({"Item Title", "Item DOI"}),),
        columns={
            "title": ("Item Title",),
            "authors": ("Authors",),
            "year": ("Publication Year",),
            "journal": ("Publication Title",),
            "volume": ("Journal Volume",),
            "issue": ("Journal Issue",),
            "doi": ("Item DOI",),
            "url": ("URL",),
            "publication_type": ("Content Type",),
        },
    ),
    "pubmed": CsvPreset(
        signatures=(frozenset({"PMID", "Citation", "Journal/Book"}),),
        columns={
            "title": ("Title",),
            "authors": ("Authors",),
            "year": ("Publication Year",),
            "journal": ("Journal/Book",),
            "doi": ("DOI",),
            "pmid": ("PMID",),
        },
    ),
    "zotero": CsvPreset(
        signatures=(frozenset({"Item Type", "Abstract Note", "Publication Title"}),),
        columns={
            "title": ("Title",),
            "abstract": ("Abstract Note",),
            "authors": ("Author",),
            "year": ("Publication Year", "Date"),
            "journal": ("Publication Title",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "doi": ("DOI",),
            "url": ("Url",),
            "keywords": ("Manual Tags",),
            "language": ("Language",),
            "publication_type": ("Item Type",),
        },
    ),
    "covidence": CsvPreset(
        signatures=(frozenset({"Covidence #"}),),
        columns={
            "title": ("Title",),
            "abstract": ("Abstract",),
            "authors": ("Authors",),
            "year": ("Published Year",),
            "journal": ("Journal",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "doi": ("DOI",),
            "keywords": ("Tags",),
        },
    ),
}

# Embase's old "Source" column:
# "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014".
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?) \((?P<year>\d{4})\)(?: (?P<volume>[^\s:(]+))?(?::(?P<issue>[^\s(]+))?"
    r"(?: \((?P<pages>[^)]*)\))?"
)
# PubMed's "Citation" column: "Nature. 2021 Dec 21;1(2):10-11. doi: ...".
_PUBMED_CITATION = re.compile(
    r";\s*(?P<volume>[^(:;\s]+)?(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.;\s]+)"
)
# Longer cells are text, never parsed as a literal: the parse costs 50 times the cell.
_LITERAL_LIMIT = 100_000
_ENDS_IN_INITIALS = re.compile(r"\s(?:[A-Z]\.?-?)+$")
# SpringerLink writes "Andy SmithTom Weber": a lower-case letter runs into a capitalised given name.
_SPRINGER_JOIN = re.compile(r"(?<=[a-z])(?=[A-Z][a-z]+ )")


def _normalised(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower())


def csv_columns(path: Path, encoding: str | None = None) -> list[str]:
    """The header row, for the column-mapping step. Empty for an empty file."""
    encoding = encoding or detect_encoding(path)
    try:
        with open(path, encoding=encoding, errors="replace", newline="") as handle:
            # Capped: a file of one 300 MB line is no table, and must not fill memory.
            first = handle.readline(LINE_LIMIT)
            header = next(csv.reader([first], delimiter=sniff_delimiter(first)), [])
    except (csv.Error, LookupError):
        return []  # the import itself then says what is wrong, with the line
    return _clean_header(header)


def csv_preset(columns: list[str]) -> str | None:
    """The database whose CSV export has these columns ("scopus", "embase", ...), or None."""
    present = set(columns)
    for name, preset in CSV_PRESETS.items():
        if any(signature <= present for signature in preset.signatures):
            return name
    return None


def csv_guess_mapping(columns: list[str]) -> dict[str, str]:
    """The mapping used when none is given: the detected preset, gaps filled by header names."""
    mapping: dict[str, str] = {}
    preset = csv_preset(columns)
    if preset:
        for field, candidates in CSV_PRESETS[preset].columns.items():
            found = next((column for column in candidates if column in columns), None)
            if found:
                mapping[field] = found
    by_name = {_normalised(column): column for column in reversed(columns)}
    taken = set(mapping.values())
    for field, names in _HEADER_NAMES.items():
        if field in mapping:
            continue
        found = next(
            (by_name[name] for name in names if by_name.get(name) not in (None, *taken)), None
        )
        if found:
            mapping[field] = found
            taken.add(found)
    return mapping


def read_csv(
    path: Path,
    filename: str,
    encoding: str,
    mapping: dict[str, str] | None,
    warnings: list[ParseWarning] | None = None,
) -> Iterator[ParsedRecord]:
    # Long abstracts and reference lists outgrow csv's default 128 KB per cell.
    csv.field_size_limit(max(csv.field_size_limit(), CELL_LIMIT))
    line = 0
    try:
        with closing(table_lines(path, encoding, filename, warnings)) as lines:
            first = next(lines, "")
            delimiter = sniff_delimiter(first)
            # strict: an unclosed quote is an error here, not the rest of the file in one cell.
            rows = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
            header = _clean_header(next(rows, []))
            line = rows.line_num
            mapping = _checked_mapping(header, mapping, filename)
            preset = csv_preset(header)
            for row in rows:
                start, line = line + 1, rows.line_num
                if (
                    not any(cell.strip() for cell in row)
                    or [cell.strip() for cell in row] == header
                ):
                    continue
                yield _csv_record(header, row, mapping, preset, start, filename, warnings)
    except csv.Error as error:
        raise ParseError(
            filename,
            f"the row starting here cannot be read ({error}); a quote mark may be unbalanced.",
            line=line + 1,
        ) from error


def sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in ("\t", ";", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _clean_header(header: list[str]) -> list[str]:
    return [column.lstrip("\ufeff").strip() for column in header]


def _checked_mapping(
    header: list[str], mapping: dict[str, str] | None, filename: str
) -> dict[str, str]:
    listed = ", ".join(repr(column) for column in header) or "none"
    if mapping is None:
        mapping = csv_guess_mapping(header)
    unknown = set(mapping) - set(CSV_FIELDS)
    if unknown:
        raise ValueError(f"not fields a column can be mapped to: {sorted(unknown)}")
    for field, column in mapping.items():
        if column not in header:
            raise ParseError(
                filename,
                f"the column {column!r} is not in this file (columns: {listed}).",
                line=1,
                field=field,
            )
    if "title" not in mapping:
        raise ParseError(
            filename,
            f"no title column found. The columns are: {listed}. "
            "Choose which column holds the title (a column mapping) and import again.",
            line=1,
        )
    return mapping


def _csv_record(
    header: list[str],
    row: list[str],
    mapping: dict[str, str],
    preset: str | None,
    line: int,
    filename: str = "",
    warnings: list[ParseWarning] | None = None,
) -> ParsedRecord:
    fields = RawFields(filename, line, warnings)
    for index, cell in enumerate(row):
        fields.add(header[index] if index < len(header) else f"column {index + 1}", cell, line)
    raw = fields.done()

    def cell(field: str) -> str:
        column = mapping.get(field)
        return raw[column][0].strip() if column and raw.get(column) else ""

    pages_column = mapping.get("pages", "")
    end_column = _END_PAGE.get(_normalised(pages_column))
    end_page = next(
        (raw[name][0] for name in raw if end_column and _normalised(name) == end_column), ""
    )
    record = ParsedRecord(
        title=one_line(cell("title")),
        abstract=paragraphs(cell("abstract")),
        authors=[one_line(name) for name in split_authors(cell("authors"))],
        year=parse_year(cell("year")),
        journal=one_line(cell("journal")),
        volume=cell("volume"),
        issue=cell("issue"),
        pages=page_range(cell("pages"), end_page),
        doi=normalise_doi(cell("doi")),
        pmid=cell("pmid"),
        url=cell("url"),
        keywords=[one_line(word) for word in split_outside_brackets(cell("keywords"))],
        language=cell("language"),
        publication_type=cell("publication_type"),
        raw=raw,
        line=line,
    )
    if preset == "embase":
        _embase_source(record)
    elif preset == "pubmed":
        _pubmed_citation(record, raw)
    elif preset == "springerlink" and mapping.get("authors") == "Authors":
        record.authors = [
            name.strip() for name in _SPRINGER_JOIN.split(cell("authors")) if name.strip()
        ]
    return record


def split_authors(cell: str) -> list[str]:
    """Authors in one cell, as the databases write them.

    By ";" when there is one (Scopus, Zotero, IEEE Xplore). By "," only when the pieces
    cannot be one "Last, First" name: each ends in initials ("Liu R., Adler D.G." from
    Embase, "Smith A, Walter B" from PubMed), or there are three or more pieces of
    several words ("Joseph Rottman, Erran Carmel, Mary Lacity"). Otherwise, e.g. a lone
    "Marx, Karl", the cell is one author.
    """
    listed = _list_literal(cell)
    if listed is not None:
        return listed
    if ";" in cell:
        return split_outside_brackets(cell, ";")
    pieces = split_outside_brackets(cell, ",")
    if len(pieces) > 1 and all(_ENDS_IN_INITIALS.search(piece) for piece in pieces):
        return pieces
    if len(pieces) > 2 and all(" " in piece for piece in pieces):
        return pieces
    return [cell.strip()] if cell.strip() else []


def split_outside_brackets(cell: str, separator: str | None = None) -> list[str]:
    """'a (b, c), d' -> ['a (b, c)', 'd']; by ';' when the cell has one, else by ','."""
    listed = _list_literal(cell)
    if listed is not None:
        return listed
    separator = separator or (";" if ";" in cell else ",")
    parts, depth, current = [], 0, []
    for character in cell:
        if character in "([":
            depth += 1
        elif character in ")]":
            depth = max(depth - 1, 0)
        if character == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _list_literal(cell: str) -> list[str] | None:
    """ASReview and pandas write lists as Python literals: "['Marx, Karl', 'Lindgren, Astrid']"."""
    cell = cell.strip()
    if not (cell.startswith("[") and cell.endswith("]")) or len(cell) > _LITERAL_LIMIT:
        return None
    try:
        value = ast.literal_eval(cell)
    except Exception:  # noqa: BLE001 - any cell that is no list literal is text
        # ValueError, SyntaxError, MemoryError, RecursionError; TypeError for a dict
        # with a list as key ("[{[]: 1}]"), which literal_eval builds before failing.
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return [item.strip() for item in value if item.strip()]


def _embase_source(record: ParsedRecord) -> None:
    match = _EMBASE_SOURCE.match(record.journal)
    if not match:
        return
    record.journal = match.group("journal").strip()
    record.year = record.year or int(match.group("year"))
    record.volume = record.volume or (match.group("volume") or "")
    record.issue = record.issue or (match.group("issue") or "")
    record.pages = record.pages or page_range(match.group("pages") or "")


def _pubmed_citation(record: ParsedRecord, raw: dict[str, list[str]]) -> None:
    match = _PUBMED_CITATION.search(raw.get("Citation", [""])[0])
    if not match:
        return
    record.volume = record.volume or (match.group("volume") or "")
    record.issue = record.issue or (match.group("issue") or "")
    record.pages = record.pages or page_range(match.group("pages") or "")
