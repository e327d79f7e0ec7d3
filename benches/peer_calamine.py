#!/usr/bin/env python3
"""The fastest Python peer for the large-department benchmark: python-calamine
reads every cell, XlsxWriter (constant-memory mode) writes them back with a
border and the amount format, one sheet per input sheet. No validation, no
header recognition: the least a Python tool converting the workbook does.

Usage: peer_calamine.py IN.xlsx OUT.xlsx
Needs: pip install python-calamine xlsxwriter
"""
import sys

import xlsxwriter
from python_calamine import CalamineWorkbook


def main(src, dst):
    wb = CalamineWorkbook.from_path(src)
    out = xlsxwriter.Workbook(dst, {"constant_memory": True})
    cell = out.add_format({"border": 1})
    amount = out.add_format({"border": 1, "num_format": "#,##0.00"})
    for name in wb.sheet_names:
        ws = out.add_worksheet(name[:31])
        for r, row in enumerate(wb.get_sheet_by_name(name).to_python()):
            for c, v in enumerate(row):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v, amount)
                elif v not in ("", None):
                    ws.write_string(r, c, str(v), cell)
    out.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
