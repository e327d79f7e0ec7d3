#!/usr/bin/env python3
"""An independent reader (openpyxl) reports what a workbook holds, as JSON:
merged ranges, repeated print rows, frozen panes, page set-up, protection,
data validations, and the value, type and number format of chosen cells.

Usage: inspect_workbook.py FILE.xlsx [SHEET!CELL ...]
"""
import json
import sys

import openpyxl


def main(path, cells):
    wb = openpyxl.load_workbook(path)
    out = {"sheets": [], "cells": {}}
    for ws in wb.worksheets:
        ps = ws.page_setup
        out["sheets"].append({
            "name": ws.title,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "print_title_rows": ws.print_title_rows,
            "freeze_panes": ws.freeze_panes,
            "orientation": ps.orientation,
            "paper_size": int(ps.paperSize) if ps.paperSize is not None else None,
            "fit_to_width": ws.page_setup.fitToWidth,
            "fit_to_height": ws.page_setup.fitToHeight,
            "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
            "footer": ws.oddFooter.center.text,
            "protected": bool(ws.protection.sheet),
            "validations": len(ws.data_validations.dataValidation),
            "comments": sorted(c.coordinate for row in ws.iter_rows() for c in row if c.comment is not None),
            "max_row": ws.max_row,
        })
    for ref in cells:
        sheet, cell = ref.rsplit("!", 1)
        c = wb[sheet][cell]
        out["cells"][ref] = {
            "value": c.value if not isinstance(c.value, float) else repr(c.value),
            "type": c.data_type,
            "format": c.number_format,
            "locked": c.protection.locked,
            "bold": bool(c.font.b),
            "size": c.font.sz,
            "align": c.alignment.horizontal,
        }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
