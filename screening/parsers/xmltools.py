"""Streaming XML records with lxml's iterparse, shared by PubMed XML and EndNote XML.

Each record element is handed over when it closes and then freed, with the
siblings already handled, so memory stays flat however long the file. The parser
neither loads DTDs nor resolves external entities nor touches the network: an
upload must not be able to read server files (XXE) or make requests.
"""

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from .errors import ParseError

# Elements that are markup inside a value (<i>, <sup> in PubMed titles, EndNote's
# <style> runs), not fields of their own.
INLINE_TAGS = frozenset({"i", "b", "u", "sup", "sub", "style", "mml:math", "math", "br"})


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
        raise ParseError(filename, f"the XML is broken: {error.msg}", line=line) from error
    except (LookupError, ValueError) as error:
        raise ParseError(filename, f"the XML cannot be read: {error}") from error


def text_of(element: etree._Element | None) -> str:
    """All text inside an element, markup runs included, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def flatten(record: etree._Element) -> dict[str, list[str]]:
    """Every value in a record as `path -> [values]`, paths relative to the record.

    A value is an element without child elements, or one whose children are only
    inline markup (a title with <i>, an EndNote field in <style> runs). Attributes
    are kept as `path@name`, so that e.g. an ArticleId's IdType stays beside it.
    """
    raw: dict[str, list[str]] = {}
    _flatten_into(raw, record, "")
    return raw


def _flatten_into(raw: dict[str, list[str]], element: etree._Element, path: str) -> None:
    for name, value in element.attrib.items():
        raw.setdefault(f"{path}@{_local(name)}", []).append(value)
    children = [child for child in element if isinstance(child.tag, str)]
    if path and (not children or all(_local(child.tag) in INLINE_TAGS for child in children)):
        raw.setdefault(path, []).append(text_of(element))
        return
    for child in children:
        name = _local(child.tag)
        _flatten_into(raw, child, f"{path}/{name}" if path else name)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
