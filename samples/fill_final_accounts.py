#!/usr/bin/env python3
"""Fills the blank 部门决算 workbook (budget-tables template --layout final-accounts)
with every table figure of a published 部门决算, as a department's finance clerk would.

Usage:
  budget-tables template --layout final-accounts --year 2024 -o blank.xlsx
  python3 samples/fill_final_accounts.py blank.xlsx FIGURES.json OUT.xlsx

FIGURES is the published document's figures (tests/fixtures/shanghai/*-final-accounts.json:
every table figure as printed, parsed from the text of the published PDF). Figures are
entered as printed (万元, two decimals); a cell printed blank stays blank, a printed 0.00
is typed as 0. The department goes in each sheet's 编制单位 cell. Codes are typed as
printed in one cell (2080501), as text.
"""
import json
import re
import sys

import openpyxl

NUMERAL = re.compile(r"^[一二三四五六七八九十]+、")


def plain(label):
    """A line's label without its 一、 numbering or spaces."""
    return NUMERAL.sub("", re.sub(r"\s+", "", label or ""))


def table_sheets(wb):
    """Table number → sheet, by the 表N in the sheet name the template gives."""
    out = {}
    for ws in wb.worksheets:
        m = re.match(r"表(\d+)", ws.title)
        if m:
            out[m.group(1)] = ws
    return out


def header_columns(ws, names, body):
    """Column (1-based) of each header path (`本年支出-合计`), searched in the
    header rows from 4 down to the first body row."""
    cols = {}
    for name in names:
        leaf = name.split("-")[-1]
        path = name.split("-")
        for c in range(1, ws.max_column + 1):
            merged = [header_text(ws, r, c) for r in range(4, body)]
            if leaf in merged and all(p in merged for p in path):
                cols[name] = c
                break
        else:
            raise SystemExit(f"{ws.title}: no column {name}")
    return cols


def header_text(ws, r, c):
    """The text of a header cell, the merged range's top-left text when merged over it."""
    for m in ws.merged_cells.ranges:
        if m.min_row <= r <= m.max_row and m.min_col <= c <= m.max_col:
            return ws.cell(m.min_row, m.min_col).value
    return ws.cell(r, c).value


def put(ws, r, c, v):
    if v is not None:
        ws.cell(r, c).value = v


def department_line(ws, department):
    for c in range(1, ws.max_column + 1):
        if ws.cell(3, c).value == "编制单位：":
            ws.cell(3, c + 1).value = department
            return
    raise SystemExit(f"{ws.title}: no 编制单位 cell")


def fill_two_sided(ws, table):
    """Income and expenditure lines by their labels (numbering aside)."""
    split = next(c for c in range(2, ws.max_column + 1) if ws.cell(5, c).value == "项目")
    seen = {}
    for row in table["rows"]:
        at = 1 if row["side"] == "income" else split
        key = plain(row["name"])
        # 表4 repeats 一、二、三 under 年初财政拨款结转和结余: the n-th occurrence;
        # the document may print a shorter label (使用非财政拨款结余 for …（含专用结余）).
        rows = [r for r in range(6, ws.max_row + 1)
                if plain(ws.cell(r, at).value) == key
                or plain(ws.cell(r, at).value).startswith(key + "（")]
        n = seen.get((row["side"], key), 0)
        seen[(row["side"], key)] = n + 1
        if n >= len(rows):
            raise SystemExit(f"{ws.title}: no line {row['name']}")
        r = rows[n]
        for i, v in enumerate(row["values"].values()):
            put(ws, r, at + 1 + i, v)


def code_of(codes):
    return "".join(codes[k] for k in ("类", "款", "项") if k in codes)


def fill_grid(ws, table):
    """合计 in the template's 合计 row, the coded rows below it in order."""
    total = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    cols = header_columns(ws, table["columns"], total)
    r = total + 1
    for row in table["rows"]:
        if row.get("total"):
            target = total
        else:
            target = r
            r += 1
            ws.cell(target, 1).value = code_of(row["codes"])
            ws.cell(target, 2).value = row["name"]
        for name, v in row["values"].items():
            put(ws, target, cols[name], v)


def fill_halves(ws, table):
    """Left half 人员经费 (301, 303), right half 公用经费, the two 合计 on the last row."""
    rows = {"人员经费": 6, "公用经费": 6}
    at = {"人员经费": 1, "公用经费": 4}
    last = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value == "人员经费合计")
    for row in table["rows"]:
        c = at[row["block"]]
        v = row["values"]["决算数"]
        if row.get("total"):
            put(ws, last, c + 2, v)
            continue
        r = rows[row["block"]]
        rows[row["block"]] += 1
        if r >= last:
            raise SystemExit(f"{ws.title}: more rows than the template has")
        ws.cell(r, c).value = code_of(row["codes"])
        ws.cell(r, c + 1).value = row["name"]
        put(ws, r, c + 2, v)


def fill_single(ws, table):
    r = ws.max_row
    while ws.cell(r, 1).value and str(ws.cell(r, 1).value).startswith("注"):
        r -= 1
    cols = header_columns(ws, table["columns"], r)
    for name, v in table["rows"][0]["values"].items():
        put(ws, r, cols[name], v)


def main():
    template, figures, out = sys.argv[1:4]
    doc = json.load(open(figures, encoding="utf-8"))
    wb = openpyxl.load_workbook(template)
    sheets = table_sheets(wb)
    for number, table in doc["tables"].items():
        ws = sheets[number]
        department_line(ws, doc["department"])
        first = table["rows"][0]
        if "side" in first:
            fill_two_sided(ws, table)
        elif "block" in first:
            fill_halves(ws, table)
        elif len(table["rows"]) == 1 and not first.get("total"):
            fill_single(ws, table)
        else:
            fill_grid(ws, table)
    wb.save(out)


if __name__ == "__main__":
    main()
