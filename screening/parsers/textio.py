"""Reading text exports line by line, whatever their encoding and line ends.

Files are never read whole: a 300 MB RIS export streams through one line at a time.
"""

import codecs
from collections.abc import Iterator
from pathlib import Path

from .errors import ParseError, ParseWarning, warn

_CHUNK = 1 << 20
_TEXT_CHUNK = 1 << 16  # characters; its lines are split at once, so kept small
# The most one value may hold, in characters (a long abstract is 10,000). Readers cut
# longer values here with a warning; whole lines are cut a little later, at LINE_LIMIT,
# so that the tag before a value still fits.
FIELD_LIMIT = 1 << 20
LINE_LIMIT = FIELD_LIMIT + 4096
# csv's limit on one cell (module-wide, so only ever raised): a quoted cell may span
# lines; one over this is a ParseError, one over FIELD_LIMIT is cut with a warning.
CELL_LIMIT = 8 * FIELD_LIMIT
# The "encoding" of a file that is not UTF-8 throughout: each line is read as UTF-8 when
# it is, else as Windows-1252 (else Latin-1); see text_encoding.
LINEWISE = "utf-8, else cp1252 per line"
FALLBACKS_LISTED = 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_from_start(head: bytes) -> str | None:
    """The encoding a BOM or UTF-16's zero bytes announce, or None when nothing does."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    # UTF-16 without a BOM: ASCII text has a zero byte in every other position.
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs >= 8:
        zeros_even = sample[0::2].count(0)
        zeros_odd = sample[1::2].count(0)
        if zeros_odd > 0.4 * pairs and zeros_even < 0.05 * pairs:
            return "utf-16-le"
        if zeros_even > 0.4 * pairs and zeros_odd < 0.05 * pairs:
            return "utf-16-be"
    return None


def detect_encoding(path: Path) -> str:
    """The text encoding of a file: "utf-8-sig", "utf-16", "utf-8", "cp1252" or "latin-1".

    A BOM decides; otherwise the whole file is checked as UTF-8 (cheap next to
    parsing it), because a Latin-1 "é" may sit anywhere in a long export. What is
    not UTF-8 is taken as Windows-1252, the usual single-byte export encoding, and
    Latin-1 (which accepts every byte) when even that does not fit.
    """
    with open(path, "rb") as handle:
        head = handle.read(_CHUNK)
        announced = encoding_from_start(head)
        if announced:
            return announced
        for encoding in ("utf-8", "cp1252"):
            if _decodes(handle, head, encoding):
                return encoding
            handle.seek(0)
            head = handle.read(_CHUNK)
    return "latin-1"


def _decodes(handle, head: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    chunk = head
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = handle.read(_CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def text_encoding(path: Path) -> str:
    """The encoding to read a file with when the user chose none: `detect_encoding`'s,
    except that a file which is not UTF-8 throughout is read line by line (LINEWISE).

    Exports pasted together, or edited in an old editor, mix UTF-8 lines with Latin-1
    ones; read whole as Windows-1252 the UTF-8 lines come out as "FÃ¸rst". Line by
    line, each reads right, and the lines that needed the fallback are reported.
    """
    encoding = detect_encoding(path)
    return LINEWISE if encoding in ("cp1252", "latin-1") else encoding


def read_lines(
    path: Path, encoding: str, filename: str, warnings: list[ParseWarning] | None = None
) -> Iterator[tuple[int, str]]:
    """(line number, text) pairs with line ends removed.

    CR, LF and CRLF all end a line (universal newlines), so a CR-only file from an
    old Mac export reads like any other. A BOM at the start of any line is dropped:
    two exports pasted together carry the second file's BOM in mid-file. A line
    longer than LINE_LIMIT characters is cut there, the rest skipped unread into
    memory; the reader then finds a value over FIELD_LIMIT and says so.
    """
    number = 0
    for block in read_line_blocks(path, encoding, filename, warnings):
        for line in block:
            number += 1
            yield number, line


def read_line_blocks(
    path: Path, encoding: str, filename: str, warnings: list[ParseWarning] | None = None
) -> Iterator[list[str]]:
    """read_lines' lines without their numbers, a list of them per chunk read: the
    caller counts them. A 100,000-record RIS export has 5.7 million lines, and a loop
    over a list costs a fraction of a generator step per line."""
    for block, _cuts in _line_blocks(path, encoding, filename, warnings, newline=None):
        yield block


def read_lines_marked(
    path: Path, encoding: str, filename: str, warnings: list[ParseWarning] | None = None
) -> Iterator[tuple[int, str, bool]]:
    """read_lines with a third item: whether the line was cut at LINE_LIMIT (for a reader
    whose syntax a cut breaks, such as BibTeX's braces)."""
    number = 0
    for block, cuts in _line_blocks(path, encoding, filename, warnings, newline=None):
        for index, line in enumerate(block):
            number += 1
            yield number, line, index in cuts


def table_lines(
    path: Path, encoding: str, filename: str, warnings: list[ParseWarning] | None = None
) -> Iterator[str]:
    """Lines with their line ends, BOMs dropped, for csv.reader (which needs the ends
    to keep line breaks inside quoted cells). A line over LINE_LIMIT is a ParseError:
    cutting it would cut a quoted cell open and misread every row after it."""
    number = 0
    for block, cuts in _line_blocks(path, encoding, filename, warnings, newline=""):
        for index, line in enumerate(block):
            number += 1
            if index in cuts:
                raise ParseError(
                    filename,
                    f"this line is longer than {LINE_LIMIT:,} characters; no table row is. "
                    "The file may not be a table, or a quote mark may be unbalanced.",
                    line=number,
                )
            yield line


def _line_blocks(
    path: Path,
    encoding: str,
    filename: str,
    warnings: list[ParseWarning] | None,
    newline: str | None,
) -> Iterator[tuple[list[str], tuple[int, ...]]]:
    """(lines, indexes of the lines cut at LINE_LIMIT), decoded, BOMs dropped, in order."""
    linewise = encoding == LINEWISE
    number = 0  # lines yielded so far
    fallbacks: list[int] = []  # lines read as cp1252/latin-1 (the first FALLBACKS_LISTED)
    fallback_count = 0
    utf8_seen = False  # a line with non-ASCII UTF-8: the file really mixes encodings
    try:
        # Latin-1 maps each byte to one character, so in LINEWISE mode the text
        # layer splits lines exactly on the bytes and `encode` gives them back.
        with open(path, encoding="latin-1" if linewise else encoding, newline=newline) as handle:
            split = _split_capped if newline is None else _capped
            for block, cuts in split(handle):
                text = "\n".join(block)  # one pass in C over the chunk, not one per line
                if linewise and not text.isascii():
                    for index, line in enumerate(block):
                        if line.isascii():
                            continue
                        block[index], utf8 = _decode_line(line.encode("latin-1"), index in cuts)
                        if utf8:
                            utf8_seen = True
                        else:
                            fallback_count += 1
                            if len(fallbacks) < FALLBACKS_LISTED:
                                fallbacks.append(number + index + 1)
                    text = "\n".join(block)
                if "\ufeff" in text:
                    block = [line.lstrip("\ufeff") for line in block]
                number += len(block)
                yield block, cuts
    except UnicodeDecodeError as error:
        raise undecodable(filename, encoding, number + 1, error) from error
    except LookupError as error:
        raise ParseError(filename, f"unknown text encoding {encoding!r}") from error
    if fallbacks and utf8_seen:
        listed = ", ".join(str(line) for line in fallbacks)
        more = fallback_count - len(fallbacks)
        if more:
            listed += f" and {more:,} more"
        warn(
            warnings,
            filename,
            f"the file mixes encodings: lines {listed} are not UTF-8 like the rest and "
            "were read as Windows-1252 (Latin-1); check their accented letters.",
            line=fallbacks[0],
        )


def _split_capped(handle) -> Iterator[tuple[list[str], tuple[int, ...]]]:
    """Blocks of lines as `_line_blocks` takes them, line ends removed, for a handle
    opened with universal newlines (every line end read as "\\n"): the lines of a chunk
    are split in one call. Only a line that runs on from earlier chunks can pass
    LINE_LIMIT, as a chunk is shorter than that."""
    head = ""  # the start of a line that runs on into the next chunk
    cut = False  # that line is longer than LINE_LIMIT: the rest is skipped
    while chunk := handle.read(_TEXT_CHUNK):
        pieces = chunk.split("\n")
        if len(pieces) == 1:
            head, cut = _grown(head, cut, chunk)
            continue
        pieces[0], first_cut = _grown(head, cut, pieces[0])
        head, cut = _grown("", False, pieces.pop())
        yield pieces, (0,) if first_cut else ()
    if head or cut:
        yield [head], (0,) if cut else ()


def _grown(head: str, cut: bool, more: str) -> tuple[str, bool]:
    if cut:
        return head, True
    if len(head) + len(more) > LINE_LIMIT:
        return (head + more)[:LINE_LIMIT], True
    return head + more, False


def _capped(handle) -> Iterator[tuple[list[str], tuple[int, ...]]]:
    """Blocks of one line each, line ends kept, as `_line_blocks` takes them: lines of at
    most LINE_LIMIT characters; the rest of a longer line is read in LINE_LIMIT pieces
    and dropped, so one huge line never sits in memory."""
    ends = ("\n", "\r")
    while line := handle.readline(LINE_LIMIT):
        cut = len(line) == LINE_LIMIT and not line.endswith(ends)
        if cut:
            while (rest := handle.readline(LINE_LIMIT)) and not rest.endswith(ends):
                pass
        yield [line], (0,) if cut else ()


def _decode_line(data: bytes, cut: bool) -> tuple[str, bool]:
    """A line's bytes as UTF-8 when they are, else Windows-1252, else Latin-1; and whether
    UTF-8 it was."""
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError as error:
        # A line cut at LINE_LIMIT may end inside a character: drop that partial one.
        if cut and error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return data[: error.start].decode("utf-8"), True
    try:
        return data.decode("cp1252"), False
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1"), False


def without_boms(lines: Iterator[str]) -> Iterator[str]:
    """Lines with a BOM at their start dropped, for csv.reader over pasted-together files."""
    for line in lines:
        yield line.lstrip("\ufeff")


def undecodable(filename: str, encoding: str, line: int, error: UnicodeDecodeError) -> ParseError:
    bad = error.object[error.start : error.start + 4].hex(" ")
    return ParseError(
        filename,
        f"the bytes {bad} are not valid {encoding} text (at or soon after this line). "
        "The file may mix encodings; save it again as UTF-8, or choose its encoding.",
        line=line,
    )
