"""Helpers of the hardening tests: the three importers' upload paths, and measuring a case."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.spreadsheets import ESTATE_HEADERS, estate_row

INSPECTION_HEADERS = ["小区编码", "检查日期", "检查人", "检查类型", "保洁", "秩序", "绿化", "设施", "备注"]
DISPUTE_HEADERS = ["小区编码", "受理日期", "类别", "当事人", "联系电话", "办结日期", "办理结果", "受理方式", "移交部门"]


@dataclass(frozen=True)
class ImportPath:
    """One real import path: its upload page, the rows it writes, a good row for a code."""

    name: str
    url: str
    model_label: str
    headers: list
    other_scope_message: str

    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    def row(self, code: str) -> dict:
        if self.name == "estates":
            return estate_row(code, name="加固测试小区")
        if self.name == "inspections":
            return dict(
                zip(INSPECTION_HEADERS, [code, "2019-03-05", "张三", "街道日常检查", 14, 13, 9, 8, None], strict=True)
            )
        return dict(
            zip(
                DISPUTE_HEADERS,
                [code, "2019-03-01", "物业费", "王小明", "13812345678", None, None, None, None],
                strict=True,
            )
        )

    def fresh_code(self) -> str:
        # The registry import creates estates (a new code); the others write rows of an estate.
        return "HX0001" if self.name == "estates" else "MY101"


IMPORT_PATHS = [
    ImportPath("estates", "/registry/estates/import/", "communities.Estate", ESTATE_HEADERS, "该编码不可用"),
    ImportPath(
        "inspections",
        "/assessments/inspections/import/",
        "assessments.Inspection",
        INSPECTION_HEADERS,
        "小区编码不存在",
    ),
    ImportPath("disputes", "/cases/disputes/import/", "disputes.DisputeCase", DISPUTE_HEADERS, "小区编码不存在"),
]


@dataclass
class Measure:
    seconds: float = 0.0
    python_peak_mib: float = 0.0
    rss_peak_mib: float = 0.0
    notes: dict = field(default_factory=dict)

    def line(self, label: str) -> str:
        return f"{label:40} {self.seconds:7.3f} s  python peak {self.python_peak_mib:7.1f} MiB  process peak RSS {self.rss_peak_mib:7.1f} MiB"


def peak_rss_mib() -> float:
    """This process's peak resident size: VmHWM (Linux: of this process image only, unlike
    ru_maxrss, which a child inherits from its parent across fork and exec)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@contextmanager
def measured():
    """Wall time and peak memory of the block: Python allocations (tracemalloc) and the
    process's peak resident size (which only grows; a case that raised it shows here)."""
    m = Measure()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield m
    finally:
        m.seconds = time.perf_counter() - start
        m.python_peak_mib = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
        m.rss_peak_mib = peak_rss_mib()
