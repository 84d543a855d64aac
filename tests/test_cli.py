"""The command line: `check` passes on the shipped project, and every command is documented."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from helpers import cli, reader, text_of

from factsheets.cli import app


def test_check_passes_on_the_shipped_project() -> None:
    result = cli("check")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1].startswith("OK: ")
    assert "5 sources" in lines[-1]
    where = next(line for line in lines if line.startswith("where-it-spreads"))
    assert "14 variant(s)" in where


def test_every_command_has_help_with_an_example() -> None:
    """sqlite-utils' rule: a command without help text and an example fails the suite."""
    group = typer.main.get_command(app)
    commands = group.commands
    assert len(commands) >= 4
    for name, command in commands.items():
        assert command.help, name
        assert "Example: factsheets " + name in command.help, name


def test_usage_error_exits_2_without_traceback() -> None:
    result = cli("show")
    assert result.code == 2
    assert "Missing argument" in result.err
    assert "Traceback" not in result.err


def _bookmarks(path: Path) -> list[str]:
    return [o.title for o in reader(path.read_bytes()).outline if not isinstance(o, list)]


def test_packet_with_sites_is_the_overview_those_sites_and_questions(tmp_path: Path) -> None:
    out = tmp_path / "ann.pdf"
    result = cli("packet", "--type", "breast", "--sites", "bone", "--patient", "Ann Lee", "-o", str(out))
    assert result.code == 0, result.err
    assert _bookmarks(out) == [
        "What is metastatic cancer?",
        "How cancer spreads",
        "Where cancer spreads",
        "When cancer spreads to the bone",
        "Questions to ask your care team",
    ]
    assert "sites given: bone" in result.out
    assert "Ann Lee" in text_of(out.read_bytes())
    assert "Ann Lee" not in result.out + result.err


def test_packet_from_diagnosis_codes(tmp_path: Path) -> None:
    out = tmp_path / "codes.pdf"
    result = cli("packet", "--icd10", "C50.911,C79.51", "-o", str(out))
    assert result.code == 0, result.err
    assert _bookmarks(out)[3] == "When cancer spreads to the bone"
    assert len(_bookmarks(out)) == 5
    assert "C79.51 (Secondary malignant neoplasm of bone): spread to the bone" in result.out


def test_packet_without_sites_uses_the_types_common_sites_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "ovary.pdf"
    result = cli("packet", "-t", "ovary", "-o", str(out))
    assert result.code == 0, result.err
    assert "common sites for ovarian cancer" in result.out
    assert "note: No sheet yet for: the peritoneum." in result.err
    assert _bookmarks(out)[3:] == ["When cancer spreads to the liver", "When cancer spreads to the lungs",
                                   "Questions to ask your care team"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--icd10", "C50.999"), "error: --icd10: C50.999 is not an ICD-10-CM code"),
        (("--icd10", "Z99.9"), "error: --icd10: Z99.9 is not an ICD-10-CM code"),
        (
            ("--icd10", "C71.9"),
            "error: --icd10: C71.9 (Malignant neoplasm of brain, unspecified) is an ICD-10-CM code, but",
        ),
        (
            ("--sites", "spleen"),
            "error: --sites: unknown site(s) of spread: spleen Fix: use one or more of: bone, brain",
        ),
        (("--type", "colon", "--icd10", "C50.911"), "error: --type: the codes say breast cancer, but the cancer type"),
    ],
)
def test_a_bad_packet_request_writes_nothing_and_says_why(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    out = tmp_path / "p.pdf"
    result = cli("packet", *args, "-o", str(out))
    assert result.code == 1
    assert words in result.err
    assert not out.exists()
