#!/usr/bin/env python3
"""Benchmarks, all measured in one run on this machine:

1. convert of the 2024 sample, end to end (release binary, process start included);
2. the same job by the openpyxl peer (benches/peer_openpyxl.py);
3. the floor: calamine reading plus rust_xlsxwriter writing the same cells (examples/floor.rs);
4. batch of 100, 1,000 and 10,000 generated departments with --jobs 1 and 2: throughput and peak memory;
5. big departments (`sample --units N`, N = 1, 10, 100, 400): convert and check against the floor,
   paired and alternated, peak memory of each, time and memory per unit, and at 400 units the
   openpyxl peer and the fastest Python (python-calamine + XlsxWriter, benches/peer_calamine.py).

Usage: python3 benches/run.py [--write docs/performance.md] [--runs N] [--large-only]
Needs: cargo, python3 with openpyxl (and python-calamine, xlsxwriter for the fastest Python peer).
"""
import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "budget-tables")
FLOOR = os.path.join(ROOT, "target", "release", "examples", "floor")
SAMPLE = os.path.join(ROOT, "samples", "shenzhen-zwfw-2024.xlsx")


NOTES = "<!-- notes: kept by benches/run.py -->"


def once(cmd):
    """Wall time and CPU time (user + system, all threads) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def timed(cmd, runs):
    return statistics.median(once(cmd)[0] for _ in range(runs))


def paired(a, b, runs):
    """Runs `a` and `b` alternately, so a slow spell of the machine hits both.
    Returns the median wall and CPU times of each and the median of the
    per-pair wall-time ratios a / b."""
    wa, wb, ca, cb, ratios = [], [], [], [], []
    for _ in range(runs):
        (x, cx), (y, cy) = once(a), once(b)
        wa.append(x)
        wb.append(y)
        ca.append(cx)
        cb.append(cy)
        ratios.append(x / y)
    med = statistics.median
    return med(wa), med(wb), med(ca), med(cb), med(ratios)


def peak(cmd):
    """Wall time and peak RSS (MiB) of one run, measured in a fresh child."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}; {os.cpu_count()} cores; {mem:.0f} GiB; {platform.system()} {platform.release()}"


UNITS = (1, 10, 100, 400)
BATCH_SIZES = (100, 1000, 10000)


def large(tmp, runs):
    """The big-department rows: (units, rows of the file, convert wall, floor wall, ratio,
    convert CPU, floor CPU, check wall, convert MiB, floor MiB), and the peers at the largest."""
    rows, peers = [], {}
    for n in UNITS:
        src = os.path.join(tmp, f"units{n}")
        subprocess.run([BIN, "sample", "--count", "1", "--units", str(n), "-o", src], check=True, stdout=subprocess.DEVNULL)
        book = os.path.join(src, "dept-0001.xlsx")
        out, floor_out = os.path.join(tmp, f"u{n}.xlsx"), os.path.join(tmp, f"f{n}.xlsx")
        once([BIN, "convert", book, "-o", out])
        once([FLOOR, book, floor_out])
        k = max(3, runs // (10 if n < 100 else 20))
        conv, floor, conv_cpu, floor_cpu, ratio = paired([BIN, "convert", book, "-o", out], [FLOOR, book, floor_out], k)
        check = timed([BIN, "check", book], k)
        conv_mib = max(peak([BIN, "convert", book, "-o", out])[1] for _ in range(3))
        floor_mib = max(peak([FLOOR, book, floor_out])[1] for _ in range(3))
        size = os.path.getsize(book) / 2**20
        rows.append((n, size, conv, floor, ratio, conv_cpu, floor_cpu, check, conv_mib, floor_mib))
        if n == UNITS[-1]:
            peers["openpyxl"] = timed([sys.executable, os.path.join(ROOT, "benches", "peer_openpyxl.py"), book, out], 2)
            try:
                import python_calamine, xlsxwriter  # noqa: F401
                peers["python-calamine + XlsxWriter"] = timed(
                    [sys.executable, os.path.join(ROOT, "benches", "peer_calamine.py"), book, out], 3
                )
            except ImportError:
                pass
    return rows, peers


def large_lines(rows, peers):
    top = rows[-1]
    n, _, conv, floor, ratio, conv_cpu, floor_cpu, check, conv_mib, floor_mib = top
    lines = [
        "## big departments (`budget-tables sample --count 1 --units N`)",
        "",
        "A department of N 预算单位 of different sizes (each unit's block in tables 2–5, 7–9 after the department's",
        "block; every identity holds). convert and the floor ran alternately; peak memory is the largest of three runs.",
        "",
        "| units | workbook | convert wall | floor wall | convert / floor (paired) | convert CPU | floor CPU | CPU ratio | check wall | convert peak | floor peak | memory ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for u, size, c, f, r, cc, fc, ch, cm, fm in rows:
        lines.append(
            f"| {u} | {size:.2f} MiB | {c * 1000:.0f} ms | {f * 1000:.0f} ms | {r:.2f}× | {cc * 1000:.0f} ms | {fc * 1000:.0f} ms | "
            f"{cc / fc:.2f}× | {ch * 1000:.0f} ms | {cm:.0f} MiB | {fm:.0f} MiB | {cm / fm:.2f}× |"
        )
    lines += [
        "",
        "Per unit: the cost of each unit beyond the first (the difference from the 1-unit department, which",
        "carries the fixed costs — starting the process, the specs, the catalogue — divided by the units added);",
        "flat from 10 to 400 units means the cost grows linearly with the units:",
        "",
    ]
    lines += ["| units | convert wall per added unit | convert CPU per added unit | convert memory per added unit |", "| --- | --- | --- | --- |"]
    one = rows[0]
    for u, size, c, f, r, cc, fc, ch, cm, fm in rows[1:]:
        k = u - one[0]
        lines.append(f"| {u} | {(c - one[2]) / k * 1000:.2f} ms | {(cc - one[5]) / k * 1000:.2f} ms | {(cm - one[8]) / k * 1024:.0f} KiB |")
    lines += [
        "",
        f"Targets at {n} units: wall ≤ 1.5× the floor — measured {ratio:.2f}×; CPU ≤ 2× — measured {conv_cpu / floor_cpu:.2f}×; "
        f"peak memory ≤ 1.5× — measured {conv_mib / floor_mib:.2f}×.",
        "",
    ]
    if peers:
        lines += [f"Python peers at {n} units (no validation): " + "; ".join(
            f"{k} {v:.2f} s ({v / conv:.1f}× convert)" for k, v in peers.items()) + ".", ""]
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", help="write the report to this Markdown file")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--large-only", action="store_true", help="only the big-department section (printed, not written)")
    args = ap.parse_args()
    if args.large_only:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "budget-tables", "--example", "floor"], cwd=ROOT, check=True)
        tmp = tempfile.mkdtemp(prefix="budget-bench-")
        try:
            print("\n".join(large_lines(*large(tmp, args.runs))))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "budget-tables", "--example", "floor"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="budget-bench-")
    try:
        out = os.path.join(tmp, "o.xlsx")
        floor_out = os.path.join(tmp, "floor.xlsx")
        # One untimed run of each first: the binaries and the sample are then in the page cache.
        once([BIN, "convert", SAMPLE, "-o", out])
        once([FLOOR, SAMPLE, floor_out])
        conv, floor, conv_cpu, floor_cpu, floor_ratio = paired(
            [BIN, "convert", SAMPLE, "-o", out], [FLOOR, SAMPLE, floor_out], args.runs
        )
        peer = timed([sys.executable, os.path.join(ROOT, "benches", "peer_openpyxl.py"), SAMPLE, out], max(5, args.runs // 10))
        rows = []
        for n in BATCH_SIZES:
            src = os.path.join(tmp, f"in{n}")
            subprocess.run([BIN, "sample", "--count", str(n), "-o", src], check=True, stdout=subprocess.DEVNULL)
            for jobs in (1, 2):
                dst = os.path.join(tmp, f"out{n}-{jobs}")
                wall, rss, code = peak([BIN, "batch", src, "-o", dst, "--jobs", str(jobs)])
                if code != 0:
                    raise SystemExit(f"batch of {n} with --jobs {jobs} exited {code}")
                rows.append((n, jobs, wall, n / wall, rss))
                shutil.rmtree(dst)
            shutil.rmtree(src)
        big = large(tmp, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    by = {(n, j): (w, t, r) for n, j, w, t, r in rows}
    lines = [
        "# 性能 / Performance",
        "",
        f"Measured by `python3 benches/run.py --write docs/performance.md` in one run on: {machine()}.",
        "",
        "## convert of the 2024 sample, end to end",
        "",
        "| job | median wall time | ratio |",
        "| --- | --- | --- |",
        f"| budget-tables convert (read, validate, write the official workbook) | {conv * 1000:.1f} ms | 1.00 |",
        f"| openpyxl peer (benches/peer_openpyxl.py, no validation) | {peer * 1000:.1f} ms | peer / convert = {peer / conv:.1f}× |",
        f"| floor: calamine read + rust_xlsxwriter write of the same cells (examples/floor.rs) | {floor * 1000:.1f} ms | convert / floor = {floor_ratio:.2f}× |",
        "",
        f"Targets: convert at least 20× faster than the peer — measured {peer / conv:.1f}×; within 1.5× of the floor — measured {floor_ratio:.2f}×.",
        "",
        f"convert and the floor ran alternately, {args.runs} times each; the ratio is the median of the {args.runs} paired ratios.",
        f"CPU time (all threads) per run: convert {conv_cpu * 1000:.1f} ms, floor {floor_cpu * 1000:.1f} ms ({conv_cpu / floor_cpu:.2f}×):",
        "convert does its independent parts (the specs, two halves of the workbook, the title search, the",
        "tables, validation beside writing, the twelve sheets) on every core; the floor uses one, apart from",
        "rust_xlsxwriter's own threads.",
        "",
        "## batch of generated departments (`budget-tables sample --count N`, then `batch`)",
        "",
        "| departments | --jobs | wall time | throughput | peak memory (RSS) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n, j, w, t, r in rows:
        lines.append(f"| {n} | {j} | {w:.2f} s | {t:.1f} departments/s | {r:.1f} MiB |")
    lines += [
        "",
        f"Scaling with --jobs: 100 departments {by[(100, 2)][1] / by[(100, 1)][1]:.2f}×, 1,000 departments {by[(1000, 2)][1] / by[(1000, 1)][1]:.2f}× (2 jobs against 1).",
        f"Peak memory for 1,000 departments against 100: {by[(1000, 1)][2] / by[(100, 1)][2]:.2f}× with --jobs 1, {by[(1000, 2)][2] / by[(100, 2)][2]:.2f}× with --jobs 2 (target: within 1.20×).",
        f"10,000 departments (a province) against 1,000: throughput {by[(10000, 1)][1] / by[(1000, 1)][1]:.2f}× with --jobs 1, "
        f"{by[(10000, 2)][1] / by[(1000, 2)][1]:.2f}× with --jobs 2 (target: within 10%, 0.90–1.10×); peak memory "
        f"{by[(10000, 1)][2] / by[(1000, 1)][2]:.2f}× with --jobs 1, {by[(10000, 2)][2] / by[(1000, 2)][2]:.2f}× with --jobs 2 (flat: target within 1.10×).",
        "",
    ]
    lines += large_lines(*big)
    report = "\n".join(lines)
    print(report)
    if args.write:
        path = os.path.join(ROOT, args.write) if not os.path.isabs(args.write) else args.write
        # The explanations below the marker are written by hand and kept.
        notes = ""
        if os.path.exists(path):
            with open(path) as f:
                old = f.read()
            if NOTES in old:
                notes = old[old.index(NOTES):]
        with open(path, "w") as f:
            f.write(report + ("\n" + notes if notes else ""))


if __name__ == "__main__":
    main()
