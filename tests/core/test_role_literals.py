"""Roles are named once (accounts/choices.py `Role`): a template asks a rule (`user|can:"cycle"`,
a view's `can_…` flag), code compares with `Role.…`; no page or module spells a role's value."""

import re
import sys
from pathlib import Path

from accounts.choices import Role

ROOT = Path(__file__).resolve().parent.parent.parent
SKIP_DIRS = {"tests", "migrations", "node_modules", "static", "var", "docs", ".git"}
# "evaluator" is also a field's name (an evaluator's assignment), so Python is checked without it.
PYTHON_ROLES = [r for r in Role.values if r != Role.EVALUATOR]


def _files(suffix: str):
    venv = Path(sys.prefix).resolve()
    for path in ROOT.rglob(f"*{suffix}"):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts[:-1]) or any(p.startswith(".") for p in rel.parts):
            continue
        if path.resolve().is_relative_to(venv):
            continue
        yield rel, path.read_text(encoding="utf-8")


def _literals(roles):
    return re.compile(r"""["'](""" + "|".join(roles) + r""")["']""")


def test_no_template_spells_a_role():
    literal = _literals(Role.values)
    found = [f"{rel}:{m.group(0)}" for rel, text in _files(".html") for m in literal.finditer(text)]
    assert not found, found


def test_no_module_spells_a_role():
    literal = _literals(PYTHON_ROLES)
    found = [
        f"{rel}:{m.group(0)}"
        for rel, text in _files(".py")
        if rel != Path("accounts/choices.py")
        for m in literal.finditer(text)
    ]
    assert not found, found
