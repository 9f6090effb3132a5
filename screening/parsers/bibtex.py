"""BibTeX (.bib) from Web of Science, Scopus, ACM, DBLP, EBSCO, Wiley, Crossref, Europe PMC...

Read with bibtexparser 2.x. Its `parse_string` takes one whole text, so the file is
cut into entries first: a new entry starts at a line whose first non-blank
character is "@" followed by a word and "{" or "(". Each piece is parsed alone and
freed, with the @string macros seen so far handed to the next piece (the
`library=` argument of `parse_string` exists for exactly this). An "@" inside a
value mid-line (EBSCO's keyword lists carry "@type:Person") does not start an entry;
a value line that itself starts with "@word{" would, and then reads as a syntax error.

An entry that bibtexparser cannot read stops the import with a ParseError naming
its line: skipping it would drop a record silently. A field that appears twice in
one entry is not an error: `raw` keeps both values and the first is used.

Chosen over bibtexparser 1.4: 2.x reports where a block failed (line and reason),
keeps duplicate fields instead of overwriting, and splits names per BibTeX's own
rules; 1.4 parses through pyparsing, is slower on large files and is in maintenance.
"""

import contextlib
import html
import re
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.middlewares.parsestack import default_parse_stack
from bibtexparser.model import DuplicateFieldKeyBlock, Entry, String
from pylatexenc.latex2text import LatexNodes2Text

from screening.bibrecord import ParsedRecord, normalise_doi

from .errors import ParseError, ParseWarning, warn
from .fields import RECORD_CHARACTERS_LIMIT, RawFields, find_doi, first_year, one_line, page_range
from .textio import read_lines

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
_BARE_SPECIALS = re.compile(r"(?<!\\)([%&#])")
_EUROPE_PMC_KEY = re.compile(r"^PMID:(\d+)$")
_latex = LatexNodes2Text(math_mode="verbatim")
_BRACES = re.compile(r"[{}]")
# A macro or accent is dropped, an escaped special kept: "\\textbf{x} \\'e \\& y" -> "{x} e & y".
_MACRO = re.compile(r"\\(?:[A-Za-z]+\*?|([&%$#_{}])|.?)", re.S)
LATEX_LIMIT = 20_000  # characters pylatexenc is given at most (about 0.3 s)
LATEX_DEPTH = 30  # brace levels; real titles nest three or four
# One entry's text at most; a longer one has lost a closing brace and swallows the file.
PIECE_LIMIT = RECORD_CHARACTERS_LIMIT


def read_bibtex(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    strings: list[String] = []
    piece: list[str] = []
    piece_size = 0
    piece_start = 1
    found = False
    for number, text in read_lines(path, encoding, filename, warnings):
        if _ENTRY_START.match(text):
            for record in _parse_piece("\n".join(piece), piece_start, strings, filename, warnings):
                found = True
                yield record
            piece, piece_size, piece_start = [], 0, number
        elif not piece:
            continue  # text before the first entry is a comment to BibTeX
        piece_size += len(text) + 1
        if piece_size > PIECE_LIMIT:
            raise ParseError(
                filename,
                f"the entry starting at line {piece_start} runs on for more than "
                f"{PIECE_LIMIT:,} characters; a brace may be unbalanced.",
                line=number,
            )
        piece.append(text)
    for record in _parse_piece("\n".join(piece), piece_start, strings, filename, warnings):
        found = True
        yield record
    if not found:
        raise ParseError(filename, "no BibTeX entries found: no line starts with '@article{'.")


def _parse_piece(
    text: str,
    first_line: int,
    strings: list[String],
    filename: str,
    warnings: list[ParseWarning] | None = None,
) -> Iterator[ParsedRecord]:
    if not text:
        return
    library = Library(blocks=list(strings))
    try:
        bibtexparser.parse_string(text, library=library)
    except (
        Exception
    ) as error:  # the library's own "please report" states; never our input's fault alone
        raise ParseError(
            filename, f"the BibTeX cannot be read: {error}", line=first_line
        ) from error
    for block in library.failed_blocks:
        if isinstance(block, DuplicateFieldKeyBlock):
            continue  # handled with the entries below
        if isinstance(block.ignore_error_block, String):
            continue  # an @string redefined: the later definition is used
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        raise ParseError(
            filename,
            f"this BibTeX entry is malformed: {reason}",
            line=first_line + (block.start_line or 0),
        )
    strings[:] = library.strings
    for block in library.blocks:
        entry = (
            _with_duplicates(block, strings) if isinstance(block, DuplicateFieldKeyBlock) else block
        )
        if isinstance(entry, Entry):
            yield bibtex_record(
                entry, first_line + (entry.start_line or 0), filename=filename, warnings=warnings
            )


def _with_duplicates(block: DuplicateFieldKeyBlock, strings: list[String]) -> Entry:
    """The entry of a block bibtexparser set aside for a repeated field, with its values
    resolved and unwrapped like any other entry. Repeats are renamed "title~2" for the
    parse stack, which needs unique keys, and named back afterwards."""
    entry = block.ignore_error_block
    seen: dict[str, int] = {}
    for field in entry.fields:
        seen[field.key] = seen.get(field.key, 0) + 1
        if seen[field.key] > 1:
            field.key = f"{field.key}~{seen[field.key]}"
    library = Library(blocks=[*strings, entry])
    for middleware in default_parse_stack():
        library = middleware.transform(library)
    for field in entry.fields:
        field.key = field.key.split("~")[0]
    return entry


def bibtex_record(
    entry: Entry, line: int, *, filename: str = "", warnings: list[ParseWarning] | None = None
) -> ParsedRecord:
    fields_read = RawFields(filename, line, warnings)
    fields_read.add("ENTRYTYPE", entry.entry_type, line)
    fields_read.add("ID", entry.key, line)
    for field in entry.fields:
        fields_read.add(field.key, str(field.value), line)
    raw = fields_read.done()
    # Field names are case-insensitive in BibTeX (WoS writes "Title", Scopus "title").
    fields: dict[str, str] = {}
    for key, found in raw.items():
        fields.setdefault(key.lower(), found[0].strip())

    def text(*names: str) -> str:
        name = next((name for name in names if fields.get(name)), None)
        if name is None:
            return ""
        decoded, problem = decode_latex_checked(fields[name])
        if problem:
            warn(warnings, filename, problem, line=line, field=name)
        return decoded

    def identifier(*names: str) -> str:
        return next((unescape_identifier(fields[name]) for name in names if fields.get(name)), "")

    pmid = identifier("pmid")
    key_match = _EUROPE_PMC_KEY.match(entry.key)
    if not pmid and key_match:
        pmid = key_match.group(1)  # Europe PMC names the entry "PMID:123" and has no pmid field
    return ParsedRecord(
        title=one_line(text("title")),
        abstract=one_line(text("abstract")),  # TeX reads a line break in a value as a space
        authors=split_names(
            fields.get("author", ""), filename=filename, warnings=warnings, line=line
        ),
        year=first_year(identifier("year"), identifier("date")),
        journal=one_line(text("journal", "journaltitle", "booktitle")),
        volume=identifier("volume"),
        issue=identifier("number", "issue"),
        pages=page_range(identifier("pages")),
        doi=normalise_doi(identifier("doi")) or find_doi(identifier("url")),
        pmid=pmid,
        url=identifier("url"),
        keywords=split_keywords(text("keywords", "keyword")),
        language=identifier("language"),
        publication_type=entry.entry_type.lower(),
        raw=raw,
        line=line,
    )


def unescape_identifier(value: str) -> str:
    """'10.1007/999\\_3' -> '10.1007/999_3'. URLs keep their '&' and '%' as they are."""
    return re.sub(r"\\([_%&#$])", r"\1", value).replace("{", "").replace("}", "").strip()


def decode_latex(value: str) -> str:
    """LaTeX and HTML escapes to plain text: '{\\"u}' -> 'ü', '\\&' -> '&', '&apos;' -> "'"."""
    return decode_latex_checked(value)[0]


def decode_latex_checked(value: str) -> tuple[str, str]:
    """The plain text of a value, and why it was decoded the rough way ("" when it was not).

    pylatexenc is slow (about a millisecond a value, 20 s for a megabyte), so it only
    sees values with a backslash; a bare % or & there is text from a database, not
    LaTeX, and is escaped first (else % would cut the rest of an abstract as a comment).
    It recurses once per brace level and fails on a few hundred, so a value longer than
    LATEX_LIMIT or nested deeper than LATEX_DEPTH has its macros dropped instead.
    """
    problem = ""
    if "\\" in value:
        if len(value) > LATEX_LIMIT:
            problem = f"longer than {LATEX_LIMIT:,} characters"
        elif _brace_depth(value) > LATEX_DEPTH:
            problem = f"braces nested deeper than {LATEX_DEPTH} levels"
        else:
            try:
                value = _latex.latex_to_text(_BARE_SPECIALS.sub(r"\\\1", value))
            except Exception as error:  # noqa: BLE001 - any failure falls back to plain text
                problem = f"LaTeX that cannot be read ({type(error).__name__})"
        if problem:
            value = _MACRO.sub(lambda match: match.group(1) or "", value)
            problem = (
                f"this value has {problem}: its LaTeX commands were dropped, not decoded; "
                "accented letters may read as plain ones."
            )
    value = value.replace("{", "").replace("}", "")
    if "&" in value:
        value = html.unescape(value)
    return value, problem


def _brace_depth(value: str) -> int:
    depth = deepest = 0
    for match in _BRACES.finditer(value):
        if match.group() == "{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def split_names(
    value: str,
    *,
    filename: str = "",
    warnings: list[ParseWarning] | None = None,
    line: int | None = None,
) -> list[str]:
    """'Seidel, Stefan and vom Brocke, Jan' -> ['Seidel, Stefan', 'vom Brocke, Jan']."""
    names = []
    problems = set()
    for name in split_multiple_persons_names(value) if value.strip() else []:
        # An odd name is kept as written, never lost.
        with contextlib.suppress(Exception):
            name = parse_single_name_into_parts(name, strict=False).merge_last_name_first
        name, problem = decode_latex_checked(name)
        if problem and problem not in problems:
            problems.add(problem)
            warn(warnings, filename, problem, line=line, field="author")
        name = one_line(name)
        if name:
            names.append(name)
    return names


def split_keywords(value: str) -> list[str]:
    """Keywords separated by ';' where there is one, else by ','."""
    separator = ";" if ";" in value else ","
    return [one_line(part) for part in value.split(separator) if part.strip()]
