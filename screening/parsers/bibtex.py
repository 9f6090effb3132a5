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
import dataclasses
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

from .errors import REPAIRED, SKIPPED, ParseError, ParseWarning, warn
from .fields import RECORD_CHARACTERS_LIMIT, RawFields, find_doi, first_year, one_line, page_range
from .textio import LINE_LIMIT, read_lines_marked

_ENTRY_START = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]")
_ENTRY_KEY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]\s*([^,\s{}()]*)")
_OPENER = re.compile(r"[{(]")
_COUNTED_BRACE = re.compile(r"(?<!\\)[{}]")
_FIELD_LINE = re.compile(r"^\s*([A-Za-z][\w\-:.+]*)\s*=", re.M)
_HEAD_FIELD = re.compile(r"[{(,]\s*([A-Za-z][\w\-:.+]*)\s*=")
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
# A damaged entry is parsed again at most this often (each parse is one entry's text), and
# this many braces of one field are tried as the stray one: bounded time on a hostile file.
REPAIR_ATTEMPTS = 12
REPAIR_CANDIDATES = 8
# Local damage is a brace or two; an entry off by more is skipped without trying (a hostile
# file nests thousands, and bibtexparser takes seconds to read each attempt at closing them).
REPAIR_BRACES = 3
# Nor is an entry nested deeper than real ones (three or four levels) or longer than a long
# abstract's entry repaired: each attempt costs bibtexparser a parse of the whole entry.
REPAIR_DEPTH = 10
REPAIR_CHARACTERS = 100_000


@dataclasses.dataclass
class _Reading:
    """What one file's pieces share: the @string macros seen so far, the entries counted."""

    filename: str
    warnings: list[ParseWarning] | None
    strings: list[String] = dataclasses.field(default_factory=list)
    entries: int = 0
    skipped: list[str] = dataclasses.field(
        default_factory=list
    )  # the first few skips, for the error


def read_bibtex(
    path: Path, filename: str, encoding: str, warnings: list[ParseWarning] | None = None
) -> Iterator[ParsedRecord]:
    reading = _Reading(filename, warnings)
    piece: list[str] = []
    piece_size = 0
    piece_start = 1
    found = False
    for number, text, cut in read_lines_marked(path, encoding, filename, warnings):
        if cut:
            text = _closed_after_cut(text, number, reading)
        if _ENTRY_START.match(text):
            for record in _parse_piece("\n".join(piece), piece_start, reading):
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
    for record in _parse_piece("\n".join(piece), piece_start, reading):
        found = True
        yield record
    if not found and reading.skipped:
        raise ParseError(filename, "no BibTeX entry could be read: " + reading.skipped[0])
    if not found:
        raise ParseError(filename, "no BibTeX entries found: no line starts with '@article{'.")


def _closed_after_cut(text: str, number: int, reading: _Reading) -> str:
    """A line cut at LINE_LIMIT lost the braces that closed its value (and often the entry):
    close what the kept part opened, so the entry still reads, its value shortened."""
    opened = sum(1 if brace == "{" else -1 for _, brace in _braces(text))
    # A value nests a few levels; a line of thousands of open braces is no value to save
    # (closing them would hand the parser a megabyte of nesting): it is left to be skipped.
    closing = 0 < opened <= LATEX_DEPTH
    warn(
        reading.warnings,
        reading.filename,
        f"line {number:,} is longer than {LINE_LIMIT:,} characters: its value was cut there"
        + (" and closed" if closing else ""),
        line=number,
        entry=reading.entries + (0 if _ENTRY_START.match(text) else 1) or None,
        action=REPAIRED,
    )
    return text + "}" * opened if closing else text


def _parse_piece(text: str, first_line: int, reading: _Reading) -> Iterator[ParsedRecord]:
    """The records of one piece: an entry and whatever follows it up to the next one.

    An entry that does not read is repaired where one brace too many or too few explains
    it (the repair must give every field the entry names), else skipped; text after the
    entry's closing brace is skipped. Each is a warning naming the entry and its line,
    and the import waits for the user to confirm it.
    """
    if not text:
        return
    start = _ENTRY_START.match(text)
    kind = start.group(1).lower() if start else ""
    if kind in {"comment", "preamble", "string"}:
        library, _ = _read(text, reading.strings)
        if library is not None:
            reading.strings[:] = library.strings
        return  # a broken @string is left out as BibTeX itself does: its uses stay as written
    reading.entries += 1
    number = reading.entries
    key = _entry_key(text)
    body, stray_at = _split_stray(text)
    if stray_at is not None:
        warn(
            reading.warnings,
            reading.filename,
            f"a line after entry {number}"
            + (f" ({key})" if key else "")
            + " belongs to no entry and was left out.",
            line=first_line + stray_at,
            action=SKIPPED,
        )
    library, problem = _read(body, reading.strings)
    if library is None or not _expected_fields(body) <= _fields_read(library):
        # Unreadable, or read with fields missing (a "}" too many ends an entry early).
        repaired, repair = _repaired(body, reading.strings)
        if repaired is not None:
            library = repaired
            warn(
                reading.warnings,
                reading.filename,
                repair,
                line=first_line,
                entry=number,
                action=REPAIRED,
                key=key,
            )
        elif library is None:
            message = f"it cannot be read: {problem[0]}"
            warn(
                reading.warnings,
                reading.filename,
                message,
                line=first_line + problem[1],
                entry=number,
                action=SKIPPED,
                key=key,
            )
            if not reading.skipped:
                reading.skipped.append(
                    f"entry {number} (line {first_line + problem[1]}): {message}"
                )
            return
        # else: read as it stands; the field names guessed from its lines were wrong.
    reading.strings[:] = library.strings
    for block in library.blocks:
        entry = (
            _with_duplicates(block, reading.strings)
            if isinstance(block, DuplicateFieldKeyBlock)
            else block
        )
        if isinstance(entry, Entry):
            yield bibtex_record(
                entry,
                first_line + (entry.start_line or 0),
                filename=reading.filename,
                warnings=reading.warnings,
            )


def _read(text: str, strings: list[String]) -> tuple[Library | None, tuple[str, int]]:
    """The piece read by bibtexparser, or None and why not (the reason, the line offset)."""
    library = Library(blocks=list(strings))
    try:
        bibtexparser.parse_string(text, library=library)
    except Exception as error:  # noqa: BLE001 - the library's own "please report" states
        return None, (str(error), 0)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateFieldKeyBlock):
            continue  # handled with the entries
        if isinstance(block.ignore_error_block, String):
            continue  # an @string redefined: the later definition is used
        reason = getattr(block.error, "abort_reason", None) or str(block.error)
        return None, (reason, block.start_line or 0)
    return library, ("", 0)


def _fields_read(library: Library) -> set[str]:
    """The field names of the piece's entries, lower case."""
    names = set()
    for block in library.blocks:
        entry = block.ignore_error_block if isinstance(block, DuplicateFieldKeyBlock) else block
        if isinstance(entry, Entry):
            names.update(field.key.lower() for field in entry.fields)
    return names


def _entry_key(text: str) -> str:
    match = _ENTRY_KEY.match(text)
    return match.group(1)[:100] if match else ""


def _braces(text: str) -> Iterator[tuple[int, str]]:
    """The braces that count (bibtexparser, like BibTeX, skips an escaped one)."""
    for match in _COUNTED_BRACE.finditer(text):
        yield match.start(), match.group()


def _excess(text: str) -> int:
    """Opening braces less closing ones, escaped ones left out (at C speed: a hostile entry
    holds a million)."""
    return text.count("{") - text.count("\\{") - text.count("}") + text.count("\\}")


def _split_stray(text: str) -> tuple[str, int | None]:
    """The entry up to its closing brace, and the line offset of any text after it that is
    neither blank nor a % comment (None when there is none, or the braces do not close)."""
    tail = text[text.rfind("}") + 1 :]
    if not any(line.strip() and not line.strip().startswith("%") for line in tail.split("\n")):
        return text, None  # nothing after the last brace: the usual case, without a walk
    if _excess(text) != 0:
        return text, None  # damaged: the repair decides where the entry ends
    opener = _OPENER.search(text)
    if opener is None or opener.group() != "{":
        return text, None
    depth = 0
    for position, brace in _braces(text):
        if position < opener.start():
            continue
        depth += 1 if brace == "{" else -1
        if depth == 0:
            rest = text[position + 1 :]
            if _FIELD_LINE.search(rest) or _COUNTED_BRACE.search(rest):
                return text, None  # the entry closed early: a "}" too many, for the repair
            offset = text.count("\n", 0, position + 1)
            for line_offset, line in enumerate(rest.split("\n")):
                stripped = line.strip()
                if stripped and not stripped.startswith("%") and stripped != ",":
                    return text[: position + 1], offset + line_offset
            return text, None
    return text, None


def _segments(text: str) -> list[tuple[int, int, str]]:
    """The piece cut at the lines that start a field ("  abstract = {"): (start, end,
    field name) by character offset; the first segment is the entry's head."""
    cuts = [(0, "")]
    offset = 0
    for number, line in enumerate(text.split("\n")):
        match = _FIELD_LINE.match(line)
        if match and number:
            cuts.append((offset, match.group(1).lower()))
        offset += len(line) + 1
    ends = [start for start, _ in cuts[1:]] + [len(text)]
    return [(start, end, name) for (start, name), end in zip(cuts, ends, strict=True)]


def _expected_fields(text: str) -> set[str]:
    """The fields the entry names: at the start of a line, or on the head's line."""
    head, _, rest = text.partition("\n")
    names = {match.group(1).lower() for match in _HEAD_FIELD.finditer(head)}
    names.update(match.group(1).lower() for match in _FIELD_LINE.finditer(rest))
    return names


def _unmatched(segment: str, skip_first: bool) -> tuple[list[int], list[int]]:
    """Offsets of the segment's "{" never closed in it and "}" closing nothing in it."""
    opens: list[int] = []
    closes: list[int] = []
    for position, brace in _braces(segment):
        if brace == "{":
            opens.append(position)
        elif opens:
            opens.pop()
        else:
            closes.append(position)
    if skip_first and opens:
        opens = opens[1:]  # the entry's own opening brace
    return opens, closes


def _repair_candidates(text: str) -> Iterator[tuple[str, str]]:
    """Texts the entry may have been meant as, each with what was changed, most likely
    first: a brace too many or too few in one field, then the entry closed at its end."""
    segments = _segments(text)
    last = len(segments) - 1
    closing_all = []
    for index, (start, end, name) in enumerate(segments):
        segment = text[start:end]
        want = (index == 0) - (index == last)
        net = sum(1 if brace == "{" else -1 for _, brace in _braces(segment))
        if net == want or abs(net - want) > REPAIR_BRACES:
            continue
        label = name or "the entry's head"
        opens, closes = _unmatched(segment, skip_first=index == 0)
        if net > want:
            body = segment.rstrip()
            cut = len(body) - 1 if body.endswith(",") else len(body)
            if index == last and body.endswith("}"):
                cut = len(body) - 1
            closed = text[: start + cut] + "}" * (net - want) + text[start + cut :]
            closing_all.append((start + cut, net - want))
            yield (
                closed,
                f"unbalanced brace in {label}: closed at the end of the value",
            )
            for position in reversed(opens[-REPAIR_CANDIDATES:]):
                at = start + position
                yield (
                    text[:at] + text[at + 1 :],
                    f"unbalanced brace in {label}: a stray '{{' was left out",
                )
        else:
            for position in closes[:REPAIR_CANDIDATES]:
                at = start + position
                yield (
                    text[:at] + text[at + 1 :],
                    f"unbalanced brace in {label}: a stray '}}' was left out",
                )
    if len(closing_all) > 1:
        combined = text
        for at, count in reversed(closing_all):
            combined = combined[:at] + "}" * count + combined[at:]
        yield combined, "unbalanced braces in several fields: closed at the end of each value"
    yield text, "unbalanced brace: closed at the end of the entry"


def _repaired(text: str, strings: list[String]) -> tuple[Library | None, str]:
    """The entry read after the first repair that gives one entry with every field it
    names, and what the repair was; None when no repair does."""
    if (
        abs(_excess(text)) > REPAIR_BRACES
        or len(text) > REPAIR_CHARACTERS
        or _brace_depth(text) > REPAIR_DEPTH
    ):
        return None, ""
    expected = _expected_fields(text)
    for attempt, (candidate, repair) in enumerate(_repair_candidates(text)):
        if attempt >= REPAIR_ATTEMPTS:
            break
        depth = sum(1 if brace == "{" else -1 for _, brace in _braces(candidate))
        if depth < 0:
            continue
        candidate = candidate.rstrip() + "}" * depth + "\n"
        library, _problem = _read(candidate, strings)
        if library is None:
            continue
        entries = [
            block for block in library.blocks if isinstance(block, Entry | DuplicateFieldKeyBlock)
        ]
        if len(entries) != 1:
            continue
        entry = entries[0]
        if isinstance(entry, DuplicateFieldKeyBlock):
            entry = entry.ignore_error_block
        if expected <= {field.key.lower() for field in entry.fields}:
            return library, repair
    return None, ""


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
