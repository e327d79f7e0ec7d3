#!/usr/bin/env python3
"""Benchmark of reading published PDFs: for each real document of
tests/fixtures/pdf/ (and the official tables of every layout printed by
LibreOffice, when soffice is installed), `budget-tables check` — the whole
job: reading the tables and the 说明, every rule, the findings placed on
pages — against `pdftotext -layout` on the same file (the text extraction
alone of poppler, a mature C library). Runs are paired and alternated; the
table gives the medians, their ratio and the peak resident memory of check.

Usage: python3 benches/pdf.py [--bin target/release/budget-tables] [--runs 15]
                              [--write docs/performance.md]
Needs: a release build, pdftotext (poppler-utils); soffice for the printed tables.
"""
import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "pdf")
SAMPLES = ["shenzhen-zwfw-2024", "shanghai-wanli-2024", "shanghai-fuliyuan-2024", "shanghai-ghzy-2024-final-accounts"]
START = "<!-- pdf benchmark: kept by benches/pdf.py -->"
END = "<!-- end of pdf benchmark -->"


def once(cmd):
    """Wall time of one run and the peak resident memory (KiB) of the child."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    return time.perf_counter() - t, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def paired(a, b, runs):
    ta, tb, rss, codes = [], [], [], set()
    for _ in range(runs):
        x, m, code = once(a)
        y, _, _ = once(b)
        ta.append(x)
        tb.append(y)
        rss.append(m)
        codes.add(code)
    return statistics.median(ta), statistics.median(tb), max(rss), codes


def printed(tmp, binary):
    """The official tables of each layout's sample, printed to PDF by LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return []
    out = []
    for s in SAMPLES:
        xlsx = os.path.join(tmp, s + ".xlsx")
        subprocess.run([binary, "convert", os.path.join(ROOT, "samples", s + ".xlsx"), "-o", xlsx, "--allow-errors"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([soffice, "-env:UserInstallation=file://" + os.path.join(tmp, "lo"), "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, xlsx], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pdf = os.path.join(tmp, s + ".pdf")
        if os.path.exists(pdf):
            out.append(("LibreOffice: " + s, pdf))
    return out


def pages(pdf):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    m = re.search(r"Pages:\s+(\d+)", info)
    return int(m.group(1)) if m else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "budget-tables"))
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--write")
    a = ap.parse_args()
    if not os.path.exists(a.bin) or not shutil.which("pdftotext"):
        sys.exit("needs a release build (cargo build --release) and pdftotext (apt-get install poppler-utils)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        docs = [("published: " + f[:-4], os.path.join(FIXTURES, f)) for f in sorted(os.listdir(FIXTURES)) if f.endswith(".pdf")]
        for name, pdf in docs + printed(tmp, a.bin):
            check = [a.bin, "check", pdf]
            text = ["pdftotext", "-layout", pdf, os.path.join(tmp, "out.txt")]
            tc, tt, rss, codes = paired(check, text, a.runs)
            rows.append((name, os.path.getsize(pdf) // 1024, pages(pdf), tc * 1000, tt * 1000, tc / tt, rss / 1024, codes))
    lines = [
        START,
        "",
        "| PDF | KiB | pages | check (ms) | pdftotext -layout (ms) | ratio | check peak RSS (MiB) | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, kib, n, tc, tt, r, mib, codes in rows:
        lines.append(f"| {name} | {kib} | {n} | {tc:.1f} | {tt:.1f} | {r:.2f} | {mib:.1f} | {','.join(map(str, sorted(codes)))} |")
    lines += ["", f"Medians of {a.runs} paired, alternated runs; `{os.path.basename(a.bin)} check` against "
              "`pdftotext -layout` on the same file, process start included for both.", "", END]
    table = "\n".join(lines)
    print(table)
    if a.write:
        with open(a.write, encoding="utf-8") as f:
            doc = f.read()
        if START in doc and END in doc:
            doc = doc[: doc.index(START)] + table + doc[doc.index(END) + len(END):]
        else:
            doc += "\n\n## Published PDFs against pdftotext (`benches/pdf.py`)\n\n" + table + "\n"
        with open(a.write, "w", encoding="utf-8") as f:
            f.write(doc)


if __name__ == "__main__":
    main()
