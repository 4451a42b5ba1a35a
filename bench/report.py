"""The benchmark's report (bench/run.py): the machine it ran on and the one table of figures
against their goals."""

from __future__ import annotations

import json
import os
import platform
import subprocess


def machine() -> dict:
    def cmd(*args):
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    lscpu = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in cmd("lscpu").splitlines())}
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "cpu": lscpu.get("Model name", platform.processor()),
        "cpus": lscpu.get("CPU(s)"),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def goal(ok: bool | None) -> str:
    return "—" if ok is None else ("达标" if ok else "未达标")


def table(r: dict) -> str:
    n = r["estates"]
    rows = []
    cf, cr, fl, tenth = r["cycle_first"], r["cycle_rerun"], r["floor"], r.get("cycle_tenth")
    floor_text = f"{fl['seconds']:.1f} s（经客户端 {fl['transport_s']:.1f} s）"
    for label, c in (("考核计分（首次）", cf), ("考核计分（重算）", cr)):
        rows.append(
            (
                label,
                f"{c['seconds']:.1f} s（Python CPU {c['cpu_s']:.1f} s），峰值 {c['peak_mb']} MB",
                floor_text,
                ratio(c["seconds"], fl["seconds"]),
                "≤3× 且 <60 s",
                goal(c["seconds"] <= 3 * fl["seconds"] and c["seconds"] < 60),
            )
        )
    wb = r["workbook"]
    goal_wb = "≤1.5× 且 <300 MB"
    if wb.get("available") and wb.get("export_s") is not None and wb.get("allocation_rows", 1):
        ok = wb["export_s"] <= 1.5 * wb["floor_s"] and wb["export_peak_mb"] < 300
        rows.append(
            (
                f"补助分配表（{wb.get('allocation_rows', 0):,} 行）",
                f"{wb['export_s']:.1f} s，峰值 +{wb['export_peak_mb']:.0f} MB",
                f"{wb['floor_s']:.1f} s，峰值 +{wb['floor_peak_mb']:.0f} MB",
                ratio(wb["export_s"], wb["floor_s"]),
                goal_wb,
                goal(ok),
            )
        )
    elif wb.get("available"):
        rows.append(
            (
                "补助分配表",
                "该年度没有分配行" if not wb.get("allocation_rows", 1) else json.dumps(wb)[:60],
                "—",
                "—",
                goal_wb,
                "—",
            )
        )
    else:
        rows.append(("补助分配表", "not available（无 bench/workbook.py）", "—", "—", goal_wb, "—"))
    for p in r["pages"]["pages"]:
        q = str(p["queries_min"]) if p["queries_min"] == p["queries_max"] else f"{p['queries_min']}–{p['queries_max']}"
        constant = p["queries_min"] == p["queries_max"]
        verdict = goal(p["p95_ms"] < 150 and constant)
        if constant and p["p95_ms"] >= 150 and p["work_p95_ms"] < 150:
            verdict = "按 CPU+库 达标"
        rows.append(
            (
                p["label"],
                f"p50 {p['p50_ms']} / p95 {p['p95_ms']} ms",
                f"CPU+库 p50 {p['work_p50_ms']} / p95 {p['work_p95_ms']} ms；查询 {q} 条",
                "—",
                "p95 <150 ms，查询数恒定",
                verdict,
            )
        )
    rm = r.get("reminders")
    if rm:
        rows.append(
            (
                f"晨间提醒（{rm['users']:,} 个用户）",
                f"{rm['seconds']:.1f} s（CPU {rm['cpu_s']:.1f} s），新提醒 {rm['created']:,} 条",
                f"同一早晨再跑：{rm['second_run_s']:.1f} s，新增 {rm['second_run_created']} 条",
                "—",
                "<60 s 且再跑不重复",
                goal(rm["seconds"] < 60 and rm["second_run_created"] == 0),
            )
        )
    t = r["throughput"]
    rows.append(
        (
            f"API 吞吐（8 并发，{t['workers']} 个 worker）",
            f"{t['api']['rps']} req/s",
            f"{t['floor']['rps']} req/s",
            ratio(t["api"]["rps"], t["floor"]["rps"]),
            "≥0.5×",
            goal(t["api"]["rps"] >= 0.5 * t["floor"]["rps"]),
        )
    )
    if tenth:
        rows.append(
            (
                f"扩展性（{n // 10:,} → {n:,}）",
                f"{tenth['seconds']:.1f} s → {cf['seconds']:.1f} s",
                f"线性 ≈ 10；CPU {tenth['cpu_s']:.1f} → {cf['cpu_s']:.1f} s（{ratio(cf['cpu_s'], tenth['cpu_s'])}）",
                ratio(cf["seconds"], tenth["seconds"]),
                "≤12",
                goal(cf["seconds"] / tenth["seconds"] <= 12),
            )
        )
    headers = ("项目", "实测（墙钟）", "底线（floor）／页面：每请求 CPU+数据库", "倍数", "目标", "结论")
    widths = [max(_w(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]
    lines = [" | ".join(_pad(str(c), widths[i]) for i, c in enumerate(headers)), "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(_pad(str(c), widths[i]) for i, c in enumerate(row)) for row in rows]
    return "\n".join(lines)


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _w(s))
