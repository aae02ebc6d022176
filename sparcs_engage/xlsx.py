"""A streaming XLSX writer: each sheet's XML goes row by row into a zip stream, in constant
memory and at the speed of the zip's compressor.

An XLSX file is a zip of XML parts. openpyxl, even in write-only mode, builds a Python object
per cell (about 50,000 cells a second here): 21 million cells of a city's answers took
minutes. Here a row is one string of XML, made in Python for small sheets (``row_xml``) or by
the database itself for the large one (see answer_export), and the parts around the sheets are
fixed text. Strings are inline (no shared-strings table to hold in memory). Text a
spreadsheet would run as a formula gets the cell style with Excel's hidden quote prefix
(``QUOTED``): shown exactly as typed, never run; the header row is bold (``BOLD``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO
from xml.sax.saxutils import escape

from sparcs_engage.exports import FORMULA_START

# Cell styles (indexes into cellXfs of STYLES): plain, the hidden quote prefix, bold.
PLAIN, QUOTED, BOLD = 0, 1, 2

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_HEAD = f'{XML_HEAD}<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Characters XML 1.0 cannot hold: the stored texts never have them (validation drops control
# characters), but a file that Excel refuses to open must not come from an old or odd row.
# Checked on the encoded bytes (a regular expression over 700 MB of text took seconds):
# control characters by deleting them and comparing lengths, U+FFFE and U+FFFF by search;
# lone surrogates cannot be encoded and become "?".
_CONTROL = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_bytes(text: str) -> bytes:
    """UTF-8 that an XML parser accepts: what XML cannot hold becomes U+FFFD."""
    data = text.encode("utf-8", "replace")
    if len(data.translate(None, _CONTROL)) != len(data) or any(n in data for n in _NONCHARACTERS):
        data = _NOT_XML.sub("\ufffd", data.decode("utf-8")).encode("utf-8")
    return data


def _text_cell(value: str, style: int = PLAIN) -> str:
    quoted = style or (QUOTED if value.startswith(FORMULA_START) else PLAIN)
    s = f' s="{quoted}"' if quoted else ""
    return f'<c t="inlineStr"{s}><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def cell_xml(value: object, style: int = PLAIN) -> str:
    """One cell: text inline, numbers as numbers, None as an empty cell."""
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f"<c><v>{int(value)}</v></c>"
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    return _text_cell(str(value), style)


def row_xml(values: Iterable[object], style: int = PLAIN) -> str:
    """One row of cells (no cell references: each cell follows the one before)."""
    return "<row>" + "".join(cell_xml(v, style) for v in values) + "</row>"


def _content_types(sheets: int) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{parts}</Types>"
    )


def _workbook(titles: Sequence[str]) -> tuple[str, str]:
    sheets = "".join(
        f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(titles, 1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{sheets}</sheets></workbook>'
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(titles) + 1)
    )
    styles = len(titles) + 1
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PACKAGE_RELS}">{links}'
        f'<Relationship Id="rId{styles}" Type="{RELS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    return workbook, rels


ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
    f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def write_xlsx(
    out: IO[bytes], sheets: Sequence[tuple[str, Sequence[str], Iterator[Sequence[str]]]]
) -> list[int]:
    """Write a workbook to ``out``; each sheet is (title, header, batches of row XML strings).
    Returns the number of rows below the header of each sheet."""
    counts = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _content_types(len(sheets)))
        zf.writestr("_rels/.rels", ROOT_RELS)
        workbook, rels = _workbook([title for title, _h, _r in sheets])
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/styles.xml", STYLES)
        for n, (_title, header, batches) in enumerate(sheets, 1):
            count = 0
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                part.write(_xml_bytes(SHEET_HEAD + row_xml(header, BOLD)))
                for batch in batches:
                    part.write(_xml_bytes("".join(batch)))
                    count += len(batch)
                part.write(SHEET_TAIL.encode("utf-8"))
            counts.append(count)
    return counts
