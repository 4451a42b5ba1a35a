"""The allocation workbook at scale (issue 4, Performance): time and peak memory of
`export_allocations` beside, in the same run, the floor — bare openpyxl write-only writing the
same rows (the same queries, plain values, no styles, no formats). Goal: within 1.5× of the
floor in time, memory flat (streaming), under 300 MB peak.

On an already loaded database (a year with a current run and its allocations):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laojiu_bench python bench/workbook.py 2019

`measure(year)` returns a dict (bench/run.py calls it). Peak memory is the process's resident
set sampled every 20 ms while each step runs, above what it was before the step (so the two
steps are measured alike and the Python objects of the data set loaded earlier do not count).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * PAGE / 2**20
    except OSError:  # not Linux: the peak since start instead
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRss:
    """Samples the resident set while the block runs; `.peak` is the highest value above the
    value at entry, in MB."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.stop = threading.Event()
        self.base = self.high = 0.0

    def _run(self):
        while not self.stop.wait(self.interval):
            self.high = max(self.high, rss_mb())

    def __enter__(self):
        import gc

        gc.collect()
        self.base = self.high = rss_mb()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.high = max(self.high, rss_mb())
        self.stop.set()
        self.thread.join()
        return False

    @property
    def peak(self) -> float:
        return self.high - self.base


def floor_workbook(path: str, year: int) -> int:
    """Bare openpyxl write-only: the same four sheets' rows, read by the same queries, written
    as plain values (no styles, number formats, title rows or totals)."""
    from openpyxl import Workbook

    from assessments.models import EstateResult
    from subsidies.models import Allocation, AllocationSheet

    wb = Workbook(write_only=True)
    n = 0
    ws = wb.create_sheet("汇总")
    for row in (
        AllocationSheet.objects.filter(year=year, version=1)
        .order_by("district__code")
        .values_list(
            "district__name",
            "status",
            "estates",
            "area",
            "management_fen",
            "startup_fen",
            "total_fen",
            "city_fen",
            "district_fen",
        )
    ):
        ws.append(list(row))
    sheet_ids = list(AllocationSheet.objects.filter(year=year, version=1).values_list("pk", flat=True))
    for kind in ("management", "startup"):
        ws = wb.create_sheet(kind)
        qs = (
            Allocation.objects.filter(sheet_id__in=sheet_ids, kind=kind)
            .order_by("district__code", "street__code", "street_id")
            .values_list(
                "district__name",
                "street__name",
                "community__name",
                "estate__code",
                "estate__name",
                "area",
                "score",
                "grade",
                "rate",
                "renovation_year",
                "tranche",
                "grant_total_fen",
                "amount_fen",
                "city_fen",
                "district_fen",
                "street_id",
            )
        )
        for _, group in groupby(qs.iterator(chunk_size=5000), key=lambda r: r[-1]):
            for row in sorted(group, key=lambda r: (r[2], r[3])):
                ws.append(list(row[:-1]))
                n += 1
    ws = wb.create_sheet("考核结果")
    district_ids = AllocationSheet.objects.filter(year=year, version=1).values("district_id")
    qs = (
        EstateResult.objects.filter(year=year, is_current=True, district_id__in=district_ids)
        .order_by("district__code", "street__code", "street_id")
        .values_list(
            "district__name",
            "street__name",
            "community__name",
            "estate__code",
            "estate__name",
            "category",
            "management",
            "effectiveness",
            "fee",
            "size",
            "total",
            "grade",
            "street_id",
        )
    )
    for _, group in groupby(qs.iterator(chunk_size=5000), key=lambda r: r[-1]):
        for row in sorted(group, key=lambda r: (r[2], r[3])):
            ws.append(list(row[:-1]))
            n += 1
    wb.save(path)
    return n


def measure(year: int) -> dict:
    """Time and peak memory of the allocation workbook for `year` beside the floor."""
    import django

    django.setup()
    from subsidies.exports import build_allocation_workbook
    from subsidies.models import Allocation

    rows = Allocation.objects.filter(sheet__year=year, sheet__version=1).count()
    out = {"year": year, "allocation_rows": rows}
    with tempfile.TemporaryDirectory() as tmp:
        floor_path, path = os.path.join(tmp, "floor.xlsx"), os.path.join(tmp, "allocations.xlsx")
        with PeakRss() as mem:
            t = time.perf_counter()
            floor_rows = floor_workbook(floor_path, year)
            out["floor_s"] = round(time.perf_counter() - t, 2)
        out["floor_peak_mb"] = round(mem.peak, 1)
        out["floor_rows"] = floor_rows
        with PeakRss() as mem:
            t = time.perf_counter()
            counts = build_allocation_workbook(path, year)
            out["export_s"] = round(time.perf_counter() - t, 2)
        out["export_peak_mb"] = round(mem.peak, 1)
        out["export_counts"] = counts
        out["export_bytes"] = os.path.getsize(path)
        out["floor_bytes"] = os.path.getsize(floor_path)
    out["ratio"] = round(out["export_s"] / out["floor_s"], 2) if out["floor_s"] else None
    out["goal_met"] = bool(out["ratio"] is not None and out["ratio"] <= 1.5 and out["export_peak_mb"] < 300)
    return out


def main():
    parser = argparse.ArgumentParser(description="补贴分配表工作簿导出的耗时与内存（对照 openpyxl 只写模式的下限）")
    parser.add_argument("year", type=int, nargs="?", default=2019)
    args = parser.parse_args()
    result = measure(args.year)
    print(f"allocation workbook {result['year']}: {result['allocation_rows']:,} allocation rows")
    print(
        f"  export: {result['export_s']:.2f} s, peak +{result['export_peak_mb']:.0f} MB, {result['export_bytes']:,} bytes"
    )
    print(
        f"  floor (bare openpyxl write-only, same rows): {result['floor_s']:.2f} s, peak +{result['floor_peak_mb']:.0f} MB"
    )
    print(f"  ratio {result['ratio']}× (goal ≤ 1.5×, < 300 MB): {'met' if result['goal_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
