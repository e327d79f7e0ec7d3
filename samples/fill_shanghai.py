#!/usr/bin/env python3
"""Fills the official Shanghai budget workbook (部门 or 单位 version) with every
table figure of a published budget, as a department's finance clerk would.

Usage:
  python3 samples/fill_shanghai.py TEMPLATE.xlsx FIGURES.json OUT.xlsx [NARRATIVE.json]

TEMPLATE is the official fill-in workbook (tests/fixtures/shanghai/, copied from
../shared/reference/shanghai/), FIGURES the published document's figures
(tests/fixtures/shanghai/*.json: every table figure as printed, parsed from the
text of the published PDF and checked against the tables' identities), NARRATIVE
the document's written part by sheet (tests/fixtures/shanghai/*.narrative.json,
made by extract_narrative.py).

Figures are entered as printed: 元 as integers (tables 1-8), 万元 with two
decimals (table 9); a cell printed blank stays blank. Codes go in their 类 | 款
| 项 cells as the template types them (类 a number, 款 and 项 text), except
where the published document printed a 款 without its leading zero (`2` for
`02`): that one is typed as the number 2, as it was printed. The template's
example rows (`…`) are replaced by the real rows, its 合计 row follows them.
"""
import json
import math
import sys

import openpyxl
from openpyxl.styles import Alignment

# The nine table sheets of each version, in table order.
SHEETS = {
    "部门": ["部门收支总表", "部门收入总表", "部门支出总表", "部门财政拨款收支总表",
             "部门一般公共预算拨款表", "部门政府性基金拨款表", "部门国有资本经营预算拨款表 ",
             "部门一般公共预算拨款基本支出明细表", "部门“三公”经费和机关运行费预算表"],
    "单位": ["单位收支总表", "单位收入总表", "单位支出总表", "单位财政拨款收支总表",
             "单位一般公共预算拨款表", "单位政府性基金拨款表", "单位国有资本经营预算拨款表 ",
             "单位一般公共预算拨款基本支出明细表", "单位“三公”经费和机关运行费预算表"],
}


# The sheets of text a department writes itself.
NARRATIVE = {
    "部门": ["部门主要职能", "部门机构设置", "部门编制说明", "其他相关情况说明", "项目经费情况说明"],
    "单位": ["单位职能", "单位机构设置", "单位编制说明", "其他相关情况说明"],
}


def number(v):
    """A printed figure as the number a clerk types (integers stay integers)."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def clear(ws, first):
    """Removes every row from `first` down, with the merges that touch them."""
    for m in list(ws.merged_cells.ranges):
        if m.max_row >= first:
            ws.unmerge_cells(str(m))
    if ws.max_row >= first:
        ws.delete_rows(first, ws.max_row - first + 1)


def retitle(ws, year, org_label, department):
    """The title's year and the 编制部门 line's name."""
    for row in ws.iter_rows(min_row=1, max_row=5):
        for c in row:
            if isinstance(c.value, str) and "2026年" in c.value:
                c.value = c.value.replace("2026年", f"{year}年")
            if isinstance(c.value, str) and c.value.strip() in (f"{org_label}：", f"{org_label}:"):
                c.value = f"{org_label}：{department}"


def two_sided(ws, first, table, ncols):
    """Income lines down the left, expenditure lines down the right, totals last."""
    clear(ws, first)
    income = [r for r in table["rows"] if r["side"] == "income" and not r.get("total")]
    expense = [r for r in table["rows"] if r["side"] == "expense" and not r.get("total")]
    totals = {r["side"]: r for r in table["rows"] if r.get("total")}
    columns = table["columns"]
    for i in range(max(len(income), len(expense))):
        r = first + i
        if i < len(income):
            ws.cell(r, 1, income[i]["name"])
            ws.cell(r, 2, number(income[i]["values"][columns["income"][0]]))
        if i < len(expense):
            ws.cell(r, 3, expense[i]["name"])
            for j, c in enumerate(columns["expense"]):
                ws.cell(r, 4 + j, number(expense[i]["values"][c]))
    r = first + max(len(income), len(expense))
    ws.cell(r, 1, totals["income"]["name"])
    ws.cell(r, 2, number(totals["income"]["values"][columns["income"][0]]))
    ws.cell(r, 3, totals["expense"]["name"])
    for j, c in enumerate(columns["expense"]):
        ws.cell(r, 4 + j, number(totals["expense"]["values"][c]))


def grid(ws, first, table, parts, notes):
    """Coded rows (code in `parts` cells, then the name), the 合计 row, the notes."""
    clear(ws, first)
    labels = parts + 1
    r = first
    total = None
    for row in table["rows"]:
        if row.get("total"):
            total = row
            continue
        codes = row["codes"] or {}
        printed = row.get("printed_codes")
        for k, level in enumerate(["类", "款", "项"][:parts]):
            code = codes.get(level)
            if code is None:
                continue
            if k == 0:
                ws.cell(r, 1, int(code))
            elif printed and len(printed) > k and printed[k] != code:
                ws.cell(r, 1 + k, int(printed[k]))
            else:
                ws.cell(r, 1 + k, code)
        ws.cell(r, labels, row["name"])
        for j, c in enumerate(table["columns"]):
            ws.cell(r, labels + 1 + j, number(row["values"][c]))
        r += 1
    ws.cell(r, 1, "合计")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=labels)
    ws.cell(r, 1).alignment = Alignment(horizontal="center")
    if total:
        for j, c in enumerate(table["columns"]):
            ws.cell(r, labels + 1 + j, number(total["values"][c]))
    for n in notes:
        r += 1
        ws.cell(r, 1, n)


def single(ws, first, table):
    """The one row of figures of the 三公 table, with its notes below."""
    clear(ws, first)
    row = table["rows"][0]
    for j, c in enumerate(table["columns"]):
        ws.cell(first, 1 + j, number(row["values"][c]))
    for k, n in enumerate(table.get("notes", [])):
        ws.cell(first + 1 + k, 1, n)


def fill(template, figures, out, narrative=None):
    f = json.load(open(figures, encoding="utf-8"))
    scope = "部门" if f["kind"] == "budget-department" else "单位"
    org_label = f["org_label"]
    wb = openpyxl.load_workbook(template)
    sheets = SHEETS[scope]
    t = f["tables"]
    for i, name in enumerate(sheets):
        ws = wb[name]
        retitle(ws, f["year"], org_label, f["department"])
    two_sided(wb[sheets[0]], 8 if scope == "部门" else 10, t["1"], 2)
    for k in ["2", "3", "5", "6", "7"]:
        grid(wb[sheets[int(k) - 1]], 9, t[k], 3, t[k].get("notes", []))
    two_sided(wb[sheets[3]], 8, t["4"], 5)
    grid(wb[sheets[7]], 9, t["8"], 2, t["8"].get("notes", []))
    single(wb[sheets[8]], 7, t["9"])
    # The narrative sheets hold the template's instructions (“XX是…”): they are
    # emptied under a heading of the year, then given the published document's
    # own text where one is given (extract_narrative.py), one paragraph per line.
    texts = json.load(open(narrative, encoding="utf-8")) if narrative else {}
    for name in NARRATIVE[scope] + ["名词解释"]:
        ws = wb[name]
        if name == "名词解释" and name not in texts:
            continue
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if not isinstance(c, openpyxl.cell.cell.MergedCell):
                    c.value = None
        title = ws.cell(1, 1).value or ""
        ws.cell(1, 1).value = title.replace("2026年", f"{f['year']}年").replace("XX项目经费", "项目经费").replace("XX（部门）", f["department"]).replace("XX（单位）", f["department"])
        if name in texts:
            # One paragraph per row (as the template's own list items A4:A6),
            # wrapped, each row as tall as its lines: the sheet prints whole.
            for m in list(ws.merged_cells.ranges):
                if m.min_row >= 3:
                    ws.unmerge_cells(str(m))
            width = ws.column_dimensions["A"].width or 100
            for k, para in enumerate(texts[name].split("\n")):
                c = ws.cell(3 + k, 1, "    " + para)
                c.alignment = openpyxl.styles.Alignment(wrap_text=True, vertical="top")
                lines = max(1, math.ceil((len(para) + 4) * 2.2 / width))
                ws.row_dimensions[3 + k].height = 16 * lines
    # The cover names the department and the year.
    cover = wb["封面"]
    for row in cover.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.value = c.value.replace("2026年", f"{f['year']}年").replace("上海市普陀区XX局", f["department"]).replace("上海市普陀区XX单位", f["department"])
    wb.save(out)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    fill(*sys.argv[1:])
