"""The layers of docs/architecture.md are checked by import-linter (the contracts in
pyproject.toml, run by `make lint` and CI), and the check really guards them: an import against
the direction, a cycle between modules or an app left out of the contract makes it fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contract(contract_id: str) -> dict:
    return next(c for c in CONFIG["contracts"] if c["id"] == contract_id)


def layer_apps() -> list[str]:
    return [name.strip() for line in contract("layers")["layers"] for name in line.replace(":", "|").split("|")]


def own_apps() -> set[str]:
    """The project's apps: those that live in this checkout (not Django's, nor a library's —
    which also live in the checkout when the virtualenv does, as `make install` puts it)."""
    venv = Path(sys.prefix).resolve()
    return {
        a.name
        for a in apps.get_app_configs()
        if Path(a.path).resolve().is_relative_to(ROOT) and not Path(a.path).resolve().is_relative_to(venv)
    }


def as_toml(config: dict) -> str:
    """The [tool.importlinter] table again (strings and lists of strings, which JSON writes as TOML
    reads them)."""
    lines = ["[tool.importlinter]"]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in config.items() if key != "contracts"]
    for item in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in item.items()]
    return "\n".join(lines) + "\n"


def lint(tree: Path, config: dict | None = None) -> subprocess.CompletedProcess:
    """Run lint-imports on `tree` (the checkout or a copy), with `config` instead of the real one."""
    path = tree / "pyproject.toml"
    if config is not None:
        path = tree / "importlinter.toml"
        path.write_text(as_toml(config), encoding="utf-8")
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(path), "--no-cache", "--no-logo"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def copy(tmp_path) -> Path:
    """The Python code of every root package, copied: a place to break the rules in."""
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.html", "*.js", "*.css"),
        )
    return tmp_path


def test_the_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps import only downwards KEPT" in result.stdout
    assert "No import cycles between modules KEPT" in result.stdout


def contract_gaps(config: dict) -> list[str]:
    """What the contracts leave unchecked: an app in no layer (or in two), not a root package,
    not checked for cycles; accounts and core not at the bottom."""
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    layered = [name.strip() for line in layers for name in line.replace(":", "|").split("|")]
    ancestors = next((c for c in config["contracts"] if c["id"] == "no-cycles"), {}).get("ancestors", [])
    expected = own_apps() | {"config"}
    gaps = [f"{app}: in no layer" for app in sorted(expected - set(layered))]
    gaps += [f"{app}: in two layers" for app in sorted({a for a in layered if layered.count(a) > 1})]
    gaps += [f"{app}: not a root package" for app in sorted(expected - set(config["root_packages"]))]
    gaps += [f"{app}: not checked for cycles" for app in sorted(expected - set(ancestors))]
    if layered[-2:] != ["accounts", "core"]:
        gaps.append("accounts and core are not the bottom two layers")
    return gaps


def test_every_app_stands_in_one_layer_and_is_checked_for_cycles():
    assert contract_gaps(CONFIG) == []


@pytest.mark.parametrize("position", range(len(contract("layers")["layers"])))
def test_removing_a_line_of_the_layers_fails(position):
    """A line removed from the layers contract would leave its apps under no rule (lint-imports
    cannot know an app is missing), so the check above catches it."""
    layers = list(contract("layers")["layers"])
    del layers[position]
    shorter = {**CONFIG, "contracts": [{**contract("layers"), "layers": layers}, contract("no-cycles")]}
    assert contract_gaps(shorter)


@pytest.mark.parametrize("ancestor", contract("no-cycles")["ancestors"])
def test_removing_a_package_from_the_cycle_check_fails(ancestor):
    ancestors = [a for a in contract("no-cycles")["ancestors"] if a != ancestor]
    shorter = {**CONFIG, "contracts": [contract("layers"), {**contract("no-cycles"), "ancestors": ancestors}]}
    assert contract_gaps(shorter) == [f"{ancestor}: not checked for cycles"]


def test_the_contract_written_again_is_the_same(tmp_path):
    """The temporary configurations above are the real one but for what each test changes."""
    copy_config = tmp_path / "pyproject.toml"
    copy_config.write_text(as_toml(CONFIG), encoding="utf-8")
    assert tomllib.loads(copy_config.read_text(encoding="utf-8"))["tool"]["importlinter"] == CONFIG


# (module, the line added to it, what lint-imports then reports)
BREAKS = {
    "the shared layer imports an app": (
        "core/validation.py",
        "\nfrom communities.models import Estate  # noqa: E402,F401\n",
        ["Apps import only downwards BROKEN", "core.validation -> communities.models"],
    ),
    # A function-level import hides an arrow from a reader, not from the contract.
    "an import inside a function goes up": (
        "communities/lookups.py",
        "\n\ndef _hidden():\n    from assessments.models import EstateResult  # noqa: F401\n",
        ["Apps import only downwards BROKEN", "communities.lookups -> assessments.models"],
    ),
    "two modules import each other": (
        "core/jobs.py",
        "\nfrom core import tasks  # noqa: E402,F401\n",
        ["No import cycles between modules BROKEN"],
    ),
}


@pytest.mark.parametrize("case", BREAKS)
def test_breaking_the_layers_fails(copy, case):
    module, line, reported = BREAKS[case]
    with (copy / module).open("a", encoding="utf-8") as f:
        f.write(line)
    result = lint(copy, CONFIG)
    assert result.returncode != 0
    for words in reported:
        assert words in result.stdout, result.stdout
