"""The report's export formats, from a plain report document (see `document` in
`grading.services.report`):

    {"project": str, "language": "da"|"en", "generated_at": str,
     "topics": [{"key", "title", "computed_at", "tables": [table...], "verdicts": [...],
                 "problems": [str...]}],
     "comments": [{"id", "reply_to", "topic", "on", "author", "created_at", "body",
                   "resolved"}]}

Each writer returns bytes. Text from records reaches CSV and XLSX cells only through
`neutralise`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from xml.sax.saxutils import escape

from grading.report.labels import export_text
from reviewapp.spreadsheets import SafeWriter, neutralise

# --------------------------------------------------------------------------------------------
# Rows every flat format shares


def comment_rows(document: dict) -> tuple[list[str], list[list]]:
    language = document["language"]
    columns = export_text("comment_columns", language).split("|")
    rows = [
        [
            comment["id"],
            comment["reply_to"] or "",
            comment["topic"],
            comment["on"],
            comment["author"],
            comment["created_at"],
            comment["body"],
            comment["resolved"],
        ]
        for comment in document["comments"]
    ]
    return columns, rows


def verdict_rows(topic: dict, language: str) -> tuple[list[str], list[list]]:
    columns = export_text("verdict_columns", language).split("|")
    rows = [
        [verdict["category"], verdict["level"], verdict["computed_level"], verdict["rationale"]]
        for verdict in topic["verdicts"]
    ]
    return columns, rows


# --------------------------------------------------------------------------------------------
# XLSX

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", text).split())[:28] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:26]} {n}"
        n += 1
    taken.add(title.lower())
    return title


def write_xlsx(document: dict) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 -- openpyxl is heavy: loaded for an XLSX export only
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415 -- openpyxl is heavy: loaded for an XLSX export only
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 -- openpyxl is heavy: loaded for an XLSX export only

    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    title_font = Font(bold=True, size=12)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()

    def sheet(title, heading, columns, rows, widths, kinds=None, footnotes=()):
        ws = workbook.create_sheet(_sheet_title(title, taken))
        ws.append([neutralise(heading)])
        ws["A1"].font = title_font
        ws.append([neutralise(c) for c in columns])
        for cell in ws[2]:
            cell.font = bold
            cell.alignment = wrap
        for index, row in enumerate(rows):
            ws.append([neutralise(value) for value in row])
            kind = kinds[index] if kinds else "item"
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
                if kind != "item":
                    cell.font = bold
        for note in footnotes:
            ws.append([neutralise(note)])
        ws.freeze_panes = "A3"
        total = sum(widths) or 1
        for column, width in enumerate(widths, start=1):
            # Relative widths spread over about 150 characters of a landscape page.
            ws.column_dimensions[get_column_letter(column)].width = max(8, 150 * width / total)

    language = document["language"]
    for number, topic in enumerate(document["topics"], start=1):
        for table in topic["tables"]:
            sheet(
                f"{number} {table['title']}",
                f"{topic['title']}: {table['title']}",
                table["columns"],
                table["rows"],
                table["widths"],
                table["row_kinds"],
                table["footnotes"],
            )
        columns, rows = verdict_rows(topic, language)
        sheet(
            f"{number} {export_text('verdicts', language)}",
            f"{topic['title']}: {export_text('verdicts', language)}",
            columns,
            rows,
            [3, 2, 2, 6],
        )
        problems = topic["problems"] or [export_text("no_problems", language)]
        sheet(
            f"{number} {export_text('problems', language)}",
            f"{topic['title']}: {export_text('problems', language)}",
            [export_text("problems", language)],
            [[p] for p in problems],
            [10],
        )
    columns, rows = comment_rows(document)
    sheet(
        export_text("comments", language),
        export_text("comments", language),
        columns,
        rows,
        [1, 1, 2, 3, 2, 2, 6, 1],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# DOCX


# Characters XML 1.0 cannot hold (record fields sometimes carry them): dropped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Usable text width in twentieths of a point: A4/Letter less 2.5 cm margins, each way.
_TEXT_WIDTH = {False: 9000, True: 13500}


def _runs_xml(value, size: int, bold: bool) -> str:
    text = _XML_INVALID.sub("", "" if value is None else str(value))
    props = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/></w:rPr>'
    lines = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n")
    )
    return f"<w:r>{props}{lines}</w:r>"


def _docx_table(doc, table_data: dict, *, size: int = 18, landscape: bool = False) -> None:
    """The table as one piece of WordprocessingML, parsed once: python-docx's cell-by-cell
    API costs seconds on a 500-study table (every cell and run is a Python object)."""
    from docx.oxml import parse_xml  # noqa: PLC0415 -- python-docx is heavy: loaded for a DOCX export only
    from docx.oxml.ns import nsdecls  # noqa: PLC0415 -- python-docx is heavy: loaded for a DOCX export only
    from docx.shared import Pt  # noqa: PLC0415 -- python-docx is heavy: loaded for a DOCX export only

    columns = table_data["columns"]
    widths = table_data.get("widths") or [1] * len(columns)
    total = sum(widths) or 1
    twips = [int(_TEXT_WIDTH[landscape] * width / total) for width in widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)

    def row(cells, *, header=False, bold=False) -> str:
        properties = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
        body = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
            f"<w:p>{_runs_xml(value, size, bold)}</w:p></w:tc>"
            for value, w in zip(cells, twips, strict=True)
        )
        return f"<w:tr>{properties}{body}</w:tr>"

    rows = [row(columns, header=True, bold=True)]
    rows += [
        row(cells, bold=kind != "item")
        for cells, kind in zip(table_data["rows"], table_data["row_kinds"], strict=True)
    ]
    xml = (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        '<w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    # add_table puts the table where python-docx keeps the body's order (before sectPr),
    # and brings the "Table Grid" style into the document; its XML is then replaced.
    placeholder = doc.add_table(rows=0, cols=len(columns))
    placeholder.style = "Table Grid"
    placeholder._tbl.getparent().replace(placeholder._tbl, parse_xml(xml))
    for note in table_data["footnotes"]:
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(note)
        run.font.size = Pt(8)


def _orient(doc, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION  # noqa: PLC0415 -- python-docx is heavy: loaded for a DOCX export only

    current = doc.sections[-1]
    wanted = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if current.orientation == wanted:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    section.orientation = wanted
    if (width > height) != landscape:
        section.page_width, section.page_height = height, width


def write_docx(document: dict) -> bytes:
    from docx import Document  # noqa: PLC0415 -- python-docx is heavy: loaded for a DOCX export only

    language = document["language"]
    doc = Document()
    doc.add_heading(document["project"], level=0)
    for topic in document["topics"]:
        _orient(doc, False)
        doc.add_heading(topic["title"], level=1)
        if topic.get("computed_at"):
            doc.add_paragraph(export_text("computed_at", language, at=topic["computed_at"]))
        for table in topic["tables"]:
            _orient(doc, table["landscape"])
            doc.add_heading(table["title"], level=2)
            _docx_table(doc, table, landscape=table["landscape"])
        _orient(doc, False)
        doc.add_heading(export_text("verdicts", language), level=2)
        for verdict in topic["verdicts"]:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{verdict['category']}: ").bold = True
            paragraph.add_run(verdict["level"])
            if verdict["rationale"]:
                doc.add_paragraph(verdict["rationale"])
        if topic["problems"]:
            doc.add_heading(export_text("problems", language), level=2)
            for problem in topic["problems"]:
                doc.add_paragraph(problem, style="List Bullet")
    if document["comments"]:
        _orient(doc, False)
        doc.add_heading(export_text("appendix", language), level=1)
        columns, rows = comment_rows(document)
        _docx_table(
            doc,
            {
                "columns": columns,
                "rows": rows,
                "row_kinds": ["item"] * len(rows),
                "footnotes": [],
                "widths": [1, 1, 2, 3, 2, 2, 6, 1],
            },
            size=16,
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# CSV (zipped) and JSON


def _csv_bytes(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    # A byte-order mark, so Excel opens the UTF-8 (æøå) as such.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_csv_zip(document: dict) -> bytes:
    language = document["language"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for topic in document["topics"]:
            for table in topic["tables"]:
                archive.writestr(
                    f"{topic['key']}/{table['key']}.csv",
                    _csv_bytes(table["columns"], table["rows"]),
                )
            archive.writestr(
                f"{topic['key']}/verdicts-{topic['key']}.csv",
                _csv_bytes(*verdict_rows(topic, language)),
            )
        archive.writestr("comments.csv", _csv_bytes(*comment_rows(document)))
    return buffer.getvalue()


def write_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --------------------------------------------------------------------------------------------
# RIS


def write_ris(records: list[dict]) -> bytes:
    """RIS that Zotero and EndNote import: one entry per record, from plain dicts with
    rispy's field names (type_of_reference, title, authors, year, ...)."""
    import rispy  # noqa: PLC0415 -- rispy: loaded for a RIS export only

    return rispy.dumps(records).encode("utf-8")
