#!/usr/bin/env python3
"""The peer for the convert benchmark: the same job done with openpyxl.

Reads the filled 12-table workbook and writes the formatted official workbook:
for every table sheet, the 表N mark, the title merged and bold, the name line,
the header block with its merges, the body with thin borders, amounts as
#,##0.00, codes as text, column widths, A4 landscape fitted to width, header
rows repeated, panes frozen, page numbers and the footnote. It does no
validation (the tool's convert does), so the comparison favours the peer.

Usage: peer_openpyxl.py IN.xlsx OUT.xlsx
"""
import sys

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NOTE = "注:本套报表金额单位转换时可能存在尾数误差。"


def main(src, dst):
    wb = openpyxl.load_workbook(src, data_only=True)
    out = openpyxl.Workbook()
    out.remove(out.active)
    for ws in wb.worksheets:
        if not ws.title.startswith("表"):
            continue
        o = out.create_sheet(ws.title)
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        ncols = max((len(r) for r in rows), default=1)
        # The header ends at the first row after row 4 with a number in it.
        header_end = 4
        for i, r in enumerate(rows[3:], start=3):
            if any(isinstance(v, (int, float)) for v in r):
                header_end = i
                break
        o.cell(1, 1, ws.title.split(" ")[0]).font = Font(bold=True)
        title = o.cell(2, 1, ws.cell(2, 1).value)
        title.font = Font(size=18, bold=True)
        title.alignment = Alignment(horizontal="center")
        o.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
        name = ws.cell(3, 1).value or ""
        o.cell(3, 1, f"{name}{ws.cell(3, 2).value or ''}")
        o.cell(3, ncols, "单位:万元").alignment = Alignment(horizontal="right")
        for rng in ws.merged_cells.ranges:
            if rng.min_row >= 4 and rng.max_row <= header_end:
                o.merge_cells(str(rng))
        last = 3
        for i, r in enumerate(rows[3:], start=4):
            if all(v is None for v in r):
                continue
            last = i
            for j, v in enumerate(r, start=1):
                c = o.cell(i, j)
                if v is None:
                    c.border = BOX
                    continue
                if isinstance(c, openpyxl.cell.cell.MergedCell):
                    continue
                c.value = v
                c.border = BOX
                if isinstance(v, (int, float)):
                    c.number_format = "#,##0.00"
                    c.alignment = Alignment(horizontal="right")
                elif i <= header_end:
                    c.font = Font(bold=True)
                    c.alignment = Alignment(horizontal="center", wrap_text=True)
                else:
                    c.number_format = "@"
        o.cell(last + 1, 1, NOTE)
        for j in range(1, ncols + 1):
            o.column_dimensions[get_column_letter(j)].width = 30 if j == 1 else 14
        o.page_setup.orientation = "landscape"
        o.page_setup.paperSize = 9
        o.page_setup.fitToWidth = 1
        o.page_setup.fitToHeight = 0
        o.sheet_properties.pageSetUpPr.fitToPage = True
        o.print_title_rows = f"2:{header_end}"
        o.freeze_panes = f"A{header_end + 1}"
        o.oddFooter.center.text = "第 &P 页，共 &N 页"
    out.save(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
