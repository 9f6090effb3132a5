"""Streaming XML records with lxml's iterparse, shared by PubMed XML and EndNote XML.

Each record element is handed over when it closes and then freed, with the
siblings already handled, so memory stays flat however long the file. The parser
neither loads DTDs nor resolves external entities nor touches the network: an
upload must not be able to read server files (XXE) or make requests.
"""

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from .errors import ParseError, ParseWarning
from .fields import RawFields, one_line
from .textio import FIELD_LIMIT

# Elements that are markup inside a value (<i>, <sup> in PubMed titles, EndNote's
# <style> runs), not fields of their own.
INLINE_TAGS = frozenset({"i", "b", "u", "sup", "sub", "style", "mml:math", "math", "br"})


# libxml2's limit on one text node without huge_tree (XML_MAX_TEXT_LENGTH).
XML_TEXT_LIMIT = 10_000_000


def iter_records(
    path: Path, filename: str, record_tags: tuple[str, ...], encoding: str | None
) -> Iterator[etree._Element]:
    parser_options = {
        "events": ("end",),
        "tag": record_tags,
        "resolve_entities": False,
        "load_dtd": False,
        "no_network": True,
        "recover": False,
        # libxml2's own limits stay on: 256 levels of nesting, 10 MB per text node,
        # and its guard against entity expansion ("billion laughs").
        "huge_tree": False,
    }
    if encoding:
        parser_options["encoding"] = encoding
    try:
        # Opened here, not by lxml, so that a consumer who stops early closes the file.
        with open(path, "rb") as handle:
            for _, element in etree.iterparse(handle, **parser_options):
                yield element
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        line = error.lineno or None
        if "Text node too long" in error.msg or "huge input" in error.msg.lower():
            # libxml2's guard, not a syntax error: say what the file holds and why it stops.
            raise ParseError(
                filename,
                f"a value at column {error.position[1]:,} is longer than the "
                f"{XML_TEXT_LIMIT:,} characters one XML value may have here (no bibliographic "
                "field is that long); the file was not imported.",
                line=line,
            ) from error
        raise ParseError(filename, f"the XML is broken: {error.msg}", line=line) from error
    except (LookupError, ValueError) as error:
        raise ParseError(filename, f"the XML cannot be read: {error}") from error


def text_of(element: etree._Element | None) -> str:
    """All text inside an element, markup runs included, whitespace collapsed, cut at
    FIELD_LIMIT (`flatten` warns about such a value)."""
    if element is None:
        return ""
    return one_line("".join(element.itertext())[:FIELD_LIMIT])


def flatten(
    record: etree._Element, filename: str = "", warnings: list[ParseWarning] | None = None
) -> dict[str, list[str]]:
    """Every value in a record as `path -> [values]`, paths relative to the record.

    A value is an element without child elements, or one whose children are only
    inline markup (a title with <i>, an EndNote field in <style> runs). Attributes
    are kept as `path@name`, so that e.g. an ArticleId's IdType stays beside it.
    """
    line = record.sourceline or 0
    raw = RawFields(filename, line, warnings)
    _flatten_into(raw, record, "", line)
    return raw.done()


def _flatten_into(raw: RawFields, element: etree._Element, path: str, line: int) -> None:
    # Recursion is bounded by libxml2's 256 levels (huge_tree off).
    for name, value in element.attrib.items():
        raw.add(f"{path}@{_local(name)}", value, line)
    children = [child for child in element if isinstance(child.tag, str)]
    if path and (not children or all(_local(child.tag) in INLINE_TAGS for child in children)):
        # Not text_of: that cuts silently, and here the cut is what warns.
        raw.add(path, one_line("".join(element.itertext())[: FIELD_LIMIT + 1]), line)
        return
    for child in children:
        name = _local(child.tag)
        _flatten_into(raw, child, f"{path}/{name}" if path else name, child.sourceline or line)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
