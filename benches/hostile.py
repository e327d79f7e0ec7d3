#!/usr/bin/env python3
"""Benchmark of the inputs that once cost super-linear time or gigabytes of
memory (issue: security and limits, third round). Each input is built here,
then `check` runs on it: wall time, peak resident memory and exit code.

Usage: python3 benches/hostile.py [--bin target/release/budget-tables]
                                  [--compare OTHER_BINARY] [--timeout 300]

With --compare, every case also runs with the other binary (an earlier build),
side by side. A case is cut at --timeout seconds (reported as such).
"""
import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "samples", "shenzhen-zwfw-2024.xlsx")
SHANGHAI = os.path.join(ROOT, "samples", "shanghai-wanli-2024.xlsx")

CT = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
RELS = b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WB_RELS_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
SHEET_REL = '<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
ODS_HEAD = '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="t">'
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def package(parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)
    return buf.getvalue()


def xlsx(parts):
    return package([("[Content_Types].xml", CT), ("_rels/.rels", RELS)] + parts)


def shared_strings():
    sst = '<sst %s count="45000" uniqueCount="1"><si><t>%s</t></si></sst>' % (NS, "a" * 32000)
    rows = "".join(
        '<row r="%d">%s</row>' % (r, "".join('<c r="%s%d" t="s"><v>0</v></c>' % (chr(65 + c), r) for c in range(10)))
        for r in range(1, 4501)
    )
    sheet = "<worksheet %s><sheetData>%s</sheetData></worksheet>" % (NS, rows)
    wb = '<workbook %s><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' % NS
    rels = WB_RELS_HEAD + SHEET_REL.format(i=1) + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    return xlsx([("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", rels), ("xl/sharedStrings.xml", sst), ("xl/worksheets/sheet1.xml", sheet)])


def many_sheets():
    wb = "<workbook %s><sheets>%s</sheets></workbook>" % (
        NS, "".join('<sheet name="S%d" sheetId="%d" r:id="rId%d"/>' % (i, i, i) for i in range(1, 100001)))
    rels = WB_RELS_HEAD + "".join(SHEET_REL.format(i=i) for i in range(1, 100001)) + "</Relationships>"
    sheet = "<worksheet %s><sheetData/></worksheet>" % NS
    return xlsx([("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", rels), ("xl/worksheets/sheet1.xml", sheet)])


def ods(content):
    return package([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content)])


def ods_repeated_text():
    row = '<table:table-row><table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>%s</text:p></table:table-cell></table:table-row>' % ("a" * (2 << 20))
    return ods(ODS_HEAD + row + ODS_TAIL)


def ods_spaces():
    cell = '<table:table-row><table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell></table:table-row>' % ('<text:s text:c="1024"/>' * 70000)
    return ods(ODS_HEAD + cell * 4 + ODS_TAIL)


def with_part(path, part, content):
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            z.writestr(n, content if n == part else src.read(n))
    return buf.getvalue()


def merges(count):
    xml = zipfile.ZipFile(SAMPLE).read("xl/worksheets/sheet3.xml").decode()
    cells = "".join('<mergeCell ref="A4:%s4"/>' % col(16383 - (i % 16000)) for i in range(count))
    at = xml.find("<mergeCells")
    if at >= 0:
        close = xml.find(">", at) + 1
        xml = xml[:close] + cells + xml[close:]
    else:
        xml = xml.replace("</sheetData>", "</sheetData><mergeCells>%s</mergeCells>" % cells)
    return with_part(SAMPLE, "xl/worksheets/sheet3.xml", xml)


def col(c):
    s = ""
    c += 1
    while c:
        s = chr(65 + (c - 1) % 26) + s
        c = (c - 1) // 26
    return s


def json_rows(copies):
    v = json.load(open(os.path.join(ROOT, "samples", "shenzhen-zwfw-2024.json"), encoding="utf-8"))
    for t in v["tables"].values():
        rows = t.get("blocks", [{}])[0].get("rows") if isinstance(t, dict) and t.get("blocks") else None
        if rows:
            # Short rows, as the 26 MB file had: one amount each.
            rows.extend({"key": "k%d" % i, "name": "x", "amounts": {"total": "1.00"}} for i in range(copies))
            break
    return json.dumps(v, ensure_ascii=False).encode()


def linked_codes(tmp, bin_path, n):
    """表7 (功能分类) of the Shenzhen sample with `n` distinct 项 added: the
    two-sided tables take their codes from it, line by line."""
    v = json.load(open(os.path.join(ROOT, "samples", "shenzhen-zwfw-2024.json"), encoding="utf-8"))
    t = v["tables"]["t07"]
    rows = t["blocks"][0]["rows"]
    base = dict(rows[-1])
    for i in range(n):
        r = dict(base)
        r["code"] = "2%06d" % i
        r["key"] = r["code"]
        r["name"] = "项目%d" % i
        rows.append(r)
    p = os.path.join(tmp, "linked.json")
    with open(p, "w", encoding="utf-8") as f:
        json.dump(v, f, ensure_ascii=False)
    out = os.path.join(tmp, "linked.xlsx")
    subprocess.run([bin_path, "convert", p, "-o", out, "--allow-errors"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out if os.path.exists(out) else None


def run(cmd, timeout):
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=float(sys.argv[1]))\n"
        "    code = r.returncode; err = r.stderr.decode('utf-8', 'replace').strip().splitlines()\n"
        "except subprocess.TimeoutExpired:\n"
        "    code = 'timeout'; err = []\n"
        "print(time.perf_counter() - t)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(code)\n"
        "print(err[-1] if err else '')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(timeout), *cmd], capture_output=True, text=True).stdout.splitlines()
    return float(out[0]), int(out[1]) / 1024, out[2], (out[3] if len(out) > 3 else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "budget-tables"))
    ap.add_argument("--compare")
    ap.add_argument("--timeout", type=float, default=300)
    a = ap.parse_args()
    bins = [("this build", a.bin)] + ([("compared", a.compare)] if a.compare else [])
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, data):
            p = os.path.join(tmp, name)
            with open(p, "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode())
            return p

        one_line = "本年收入预算1,234.56万元，比上年增加12.5万元，增长3.5%，"
        lines = "本年收入预算1,234.56万元，比上年增加12.5万元，增长3.5%。\n"
        cases = [
            ("xlsx: one 32 KB shared string shown by 45,000 cells", ["check", put("strings.xlsx", shared_strings())]),
            ("ods: a 2 MB text in a cell repeated 1,000 times", ["check", put("repeat.ods", ods_repeated_text())]),
            ("ods: cells of 70,000 `text:s c=1024`", ["check", put("spaces.ods", ods_spaces())]),
            ("xlsx: 100,000 sheets named", ["check", put("sheets.xlsx", many_sheets())]),
            ("json: 200,000 rows", ["check", put("rows.json", json_rows(200000))]),
            ("xlsx: 300,000 merged ranges in a header row", ["check", put("m300k.xlsx", merges(300000))]),
            ("xlsx: 90,000 merged ranges in a header row", ["check", put("m90k.xlsx", merges(90000))]),
        ]
        for size in (0.5, 1, 2):
            text = one_line * int(size * 1e6 / len(one_line.encode()))
            cases.append(("说明: one sentence of %s MB" % size, ["check", SHANGHAI, "--narrative", put("s%s.txt" % size, text)]))
        cases.append(("说明: 3 MB of short sentences", ["check", SHANGHAI, "--narrative", put("m3.txt", lines * int(3e6 / len(lines.encode())))]))
        cases.append(("说明: 30 MB of short sentences", ["check", SHANGHAI, "--narrative", put("m30.txt", lines * int(30e6 / len(lines.encode())))]))
        linked = linked_codes(tmp, a.bin, 99900)
        if linked:
            cases.append(("表7 with 99,900 distinct 项 codes", ["check", linked]))
        print("| case | build | time | peak memory | exit | last line of stderr |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name, args in cases:
            for label, b in bins:
                t, mib, code, err = run([b] + args, a.timeout)
                shown = "> %.0f s (cut)" % a.timeout if code == "timeout" else "%.2f s" % t
                print("| %s | %s | %s | %.1f MiB | %s | %s |" % (name, label, shown, mib, code, err[:90].replace("|", "/")))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
