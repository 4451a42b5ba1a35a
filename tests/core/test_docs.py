"""The repository stands alone: its README and docs point only inside it, every document they
link exists, and every management command is listed with its arguments in docs/commands.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_documents_point_only_inside_the_repository(document):
    text = document.read_text()
    assert "../shared" not in text
    assert not re.search(r"\bDESIGN\.md\b", text)
    assert not re.search(r"(?<![\w/])spec/\w", text), "spec/ is not part of the repository"
    for target in re.findall(r"\b(docs/[\w-]+\.md)\b", text):
        assert (ROOT / target).exists(), f"{document.name} names {target}, which does not exist"
    for target in re.findall(r"\]\(([^)#:]+\.md)\)", text):
        assert (document.parent / target).exists(), f"{document.name} links {target}, which does not exist"


def test_every_command_is_documented():
    commands = {p.stem for p in ROOT.glob("*/management/commands/*.py") if not p.stem.startswith("_")}
    listed = (ROOT / "docs" / "commands.md").read_text()
    missing = sorted(name for name in commands if f"`{name}`" not in listed)
    assert not missing, f"docs/commands.md does not list: {missing}"
