"""Data invariants (数据一致性检查): what must hold in the database whatever happened — a crash,
a restore, a hand edit. `manage.py check_invariants` runs every registered check and exits
non-zero with a Chinese report when one is violated; tests and the restore procedure run it.

Each app registers its checks in its own `invariants.py` (found by autodiscovery, like
admin.py):

    from core.invariants import register

    @register("每个小区每个年度只有一条当前有效的考核结果")
    def one_current_result():
        for row in ...:
            yield f"小区 {code} 的 {year} 年度有 {n} 条当前有效的考核结果。"

A check yields one Chinese sentence per violation (nothing when all is well).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

CHECKS: list[Check] = []
MAX_REPORTED = 50  # per check; the count says how many more


@dataclass(frozen=True)
class Check:
    label: str
    app: str
    func: Callable[[], Iterable[str]]


@dataclass
class Outcome:
    check: Check
    violations: list[str]
    total: int

    @property
    def ok(self) -> bool:
        return self.total == 0


def register(label: str):
    def decorator(func):
        app = func.__module__.split(".")[0]
        if not any(c.func.__qualname__ == func.__qualname__ and c.app == app for c in CHECKS):
            CHECKS.append(Check(label, app, func))
        return func

    return decorator


def discover() -> list[Check]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("invariants")
    return list(CHECKS)


def run_checks() -> list[Outcome]:
    outcomes = []
    for check in discover():
        violations: list[str] = []
        total = 0
        for message in check.func() or ():
            total += 1
            if len(violations) < MAX_REPORTED:
                violations.append(message)
        outcomes.append(Outcome(check, violations, total))
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        lines.append(
            f"{'✓' if o.ok else '✗'} [{o.check.app}] {o.check.label}" + ("" if o.ok else f"：{o.total} 处不符")
        )
        lines.extend(f"    - {v}" for v in o.violations)
        if o.total > len(o.violations):
            lines.append(f"    ……另有 {o.total - len(o.violations)} 处")
    bad = sum(1 for o in outcomes if not o.ok)
    lines.append(f"共 {len(outcomes)} 项检查，{'全部通过' if not bad else f'{bad} 项不通过'}。")
    return "\n".join(lines)
