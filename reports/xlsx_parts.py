"""The fixed parts of a minimal SpreadsheetML (XLSX) package and the XML text escaping its cells need.

Pure text: :mod:`reports.export` streams the worksheets and writes these parts around them. The package holds
only what Excel, LibreOffice and openpyxl need: content types, the package and workbook relationships, the
workbook (its sheets and their auto-filter ranges), and styles with the date, date-time and time formats that
make a serial number show (and sort, and filter) as a date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Cell styles (indexes into cellXfs below).
STYLE_DATETIME = 1
STYLE_DATE = 2
STYLE_TIME = 3
STYLE_HEADER = 4

CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
)
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)

STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="166" formatCode="hh:mm:ss"/>'
    '</numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# XML 1.0 allows TAB, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD and the supplementary planes: the rest is dropped.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_WORK = re.compile("[&<>\r_\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads "_xHHHH_" in a string as an escaped character; a literal one is written with its "_" escaped.
_EXCEL_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def xml_text(value: str) -> str:
    """``value`` as XML 1.0 character data that Excel reads back unchanged: characters XML cannot carry are
    dropped, markup characters escaped, CR kept as a reference (a parser would turn a raw one into LF)."""
    if _NEEDS_WORK.search(value) is None:
        return value
    value = _ILLEGAL_XML.sub("", value)
    value = _EXCEL_ESCAPE.sub("_x005F_", value)
    return value.translate(_ENTITIES)


def xml_attr(value: str) -> str:
    """``value`` inside a double-quoted attribute."""
    return xml_text(value).replace('"', "&quot;")


def column_letters(count: int) -> list[str]:
    """The first ``count`` column names: A, B, … Z, AA, AB, …"""
    names = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        names.append(name)
    return names


def content_types(sheet_count: int) -> str:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{WORKSHEET_TYPE}"/>'
                     for n in range(1, sheet_count + 1))
    return f"{CONTENT_TYPES_HEAD}{sheets}</Types>"


def workbook_rels(sheet_count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheet_count + 1))
    styles = f'<Relationship Id="rId{sheet_count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{sheets}{styles}</Relationships>")


def workbook(sheets: Sequence[tuple[str, str]]) -> str:
    """The workbook part: ``sheets`` are (name, auto-filter range such as ``$A$1:$K$40``)."""
    listed = "".join(f'<sheet name="{xml_attr(name)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, (name, _) in enumerate(sheets, start=1))
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{xml_text(quoted_sheet(name))}!{ref}</definedName>"
        for n, (name, ref) in enumerate(sheets))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{listed}</sheets><definedNames>{filters}</definedNames></workbook>")


def quoted_sheet(name: str) -> str:
    """A sheet name as a formula reference writes it: in apostrophes, inner apostrophes doubled."""
    return "'" + name.replace("'", "''") + "'"


def worksheet_head(widths: Sequence[float]) -> str:
    """Everything before the first row: the frozen header row (the pane below row 1) and column widths."""
    cols = "".join(f'<col min="{n}" max="{n}" width="{w:.1f}" customWidth="1"/>'
                   for n, w in enumerate(widths, start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')


def worksheet_tail(used_range: str) -> str:
    """Everything after the last row: the auto-filter over the used range, and no "number stored as text"
    warnings there (caller and account numbers are text on purpose: they keep their leading zeros)."""
    return (f'</sheetData><autoFilter ref="{used_range}"/>'
            f'<ignoredErrors><ignoredError sqref="{used_range}" numberStoredAsText="1"/></ignoredErrors></worksheet>')
