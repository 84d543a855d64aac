"""The command line: `check` passes on the shipped project, and every command is documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from helpers.cli import CliResult, cli
from helpers.pdfs import reader, text_of
from helpers.project import ROOT, scratch_copy

from factsheets import __version__
from factsheets.cli.main import app


def test_check_passes_on_the_shipped_project() -> None:
    result = cli("check")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1].startswith("OK: ")
    assert f"{len(list((ROOT / 'sources').glob('*.md')))} sources" in lines[-1]
    where = next(line for line in lines if line.startswith("where-it-spreads"))
    assert "14 variants" in where  # plurals as a sentence says them: "1 variant", "14 variants"


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
        "5 sheets: breast cancer; spread to bone",
        "What is metastatic cancer?",
        "How cancer spreads",
        "Where cancer spreads",
        "When cancer spreads to the bone",
        "Questions to ask your care team",
    ]
    assert f"Wrote {out}: 5 sheets: breast cancer; spread to bone\n" in result.out
    assert "Ann Lee" in text_of(out.read_bytes())
    assert "Ann Lee" not in result.out + result.err


def test_packet_from_diagnosis_codes(tmp_path: Path) -> None:
    out = tmp_path / "codes.pdf"
    result = cli("packet", "--icd10", "C50.911,C79.51", "-o", str(out))
    assert result.code == 0, result.err
    assert _bookmarks(out)[4] == "When cancer spreads to the bone"
    assert _bookmarks(out)[0] == "5 sheets: breast cancer (C50.911); spread to bone (C79.51)"
    assert len(_bookmarks(out)) == 6  # what was chosen and why, then the five sheets
    assert "C79.51 (Secondary malignant neoplasm of bone): spread to the bone" in result.out
    assert f"Wrote {out}: 5 sheets: breast cancer (C50.911); spread to bone (C79.51)\n" in result.out


def test_packet_without_sites_uses_the_types_common_sites_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "prostate.pdf"
    result = cli("packet", "-t", "prostate", "-o", str(out))
    assert result.code == 0, result.err
    assert "7 sheets: prostate cancer; common sites: bone, liver, lungs, adrenal gland (no sheet yet)" in result.out
    assert "note: No sheet yet for: the adrenal gland." in result.err
    assert _bookmarks(out)[5:] == ["When cancer spreads to the liver", "When cancer spreads to the lungs",
                                   "Questions to ask your care team"]  # fmt: skip


def test_packet_for_the_peritoneum_prints_its_sheet_and_says_no_site_is_without_one(tmp_path: Path) -> None:
    out = tmp_path / "peritoneum.pdf"
    result = cli("packet", "--sites", "peritoneum", "-o", str(out))
    assert result.code == 0, result.err
    assert "No sheet yet" not in result.out + result.err
    assert f"Wrote {out}: 5 sheets: spread to peritoneum\n" in result.out
    assert _bookmarks(out) == [
        "5 sheets: spread to peritoneum",
        "What is metastatic cancer?",
        "How cancer spreads",
        "Where cancer spreads",
        "Fluid in the belly (ascites)",
        "Questions to ask your care team",
    ]
    pages = reader(out.read_bytes()).pages
    assert len(pages) == 5
    sheet = " ".join((pages[3].extract_text() or "").split())
    assert "Ascites is the abnormal buildup of fluid in your belly (abdomen)" in sheet
    assert "Tell your doctor or nurse if you notice" in sheet


def test_packet_sheets_add_to_what_the_codes_bring_or_alone_are_printed_as_listed(tmp_path: Path) -> None:
    """As ticks on the form: --sheets adds; with no type, sites or codes, it is the packet."""
    out = tmp_path / "added.pdf"
    result = cli("packet", "--icd10", "C50.911,C79.51", "--sheets", "questions,liver", "-o", str(out))
    assert result.code == 0, result.err
    assert f"Wrote {out}: 6 sheets: breast cancer (C50.911); spread to bone (C79.51); sheets added: liver\n" in (
        result.out
    )
    assert _bookmarks(out)[4:6] == ["When cancer spreads to the bone", "When cancer spreads to the liver"]
    alone = tmp_path / "alone.pdf"
    result = cli("packet", "--sheets", "questions,bone", "-o", str(alone))
    assert result.code == 0, result.err
    assert "2 sheets: as listed (no cancer type, sites or codes given)" in result.out
    assert _bookmarks(alone)[1:] == ["Questions to ask your care team", "When cancer spreads to the bone"]


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
        (("--sheets", "nope"), "error: --sheets: unknown sheet(s): nope Fix: use: "),
        (("--sheets", ""), "error: --sheets: nothing to print: no cancer type, sites or codes given"),
    ],
)
def test_a_bad_packet_request_writes_nothing_and_says_why(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    out = tmp_path / "p.pdf"
    result = cli("packet", *args, "-o", str(out))
    assert result.code == 1
    assert words in result.err
    assert not out.exists()


def test_version_prints_the_version_and_exits_0() -> None:
    result = cli("--version")
    assert (result.code, result.out, result.err) == (0, f"factsheets {__version__}\n", "")


def test_version_loads_nothing_heavy() -> None:
    """`--version`, like `--help`, answers at once: no renderer, templates or validation library loaded."""
    script = (
        "import sys\nfrom factsheets.cli.main import app\ntry:\n    app(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('weasyprint', 'jinja2', 'pydantic') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == [f"factsheets {__version__}", "[]"]


# Every command that takes --clinic, with what else it needs to get past its own checks. `serve` also
# gets a --host it refuses after parsing: were --clinic not checked first, it would fail on that, not hang.
CLINIC_COMMANDS = {
    "check": (),
    "report": (),
    "build": (),
    "render": ("where-it-spreads", "-o", "x.pdf"),
    "packet": ("--type", "breast", "-o", "x.pdf"),
    "serve": ("--host", "0.0.0.0"),
}


def _one_error(result: CliResult, root: Path) -> str:
    """The one line a refused option prints, after checking nothing was printed or written besides it."""
    assert result.code == 1, result.err
    assert result.out == ""
    assert len(result.err.splitlines()) == 1, result.err
    assert not (root / "out").exists()
    assert not (root / "x.pdf").exists()
    return result.err


@pytest.mark.parametrize("command", CLINIC_COMMANDS)
def test_a_clinic_folder_that_is_not_there_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    """A mistyped --clinic must not print every handout without the clinic's name and phone number."""
    root = scratch_copy(tmp_path)
    result = cli(command, *CLINIC_COMMANDS[command], "--clinic", str(tmp_path / "riversdie"), cwd=root)
    assert _one_error(result, root).startswith(f"error: --clinic {tmp_path / 'riversdie'}: does not exist Fix: ")


def test_a_clinic_that_is_a_file_is_refused(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    (root / "clinic.yaml").write_text("name: Riverside\n", encoding="utf-8")
    result = cli("render", "where-it-spreads", "-o", "x.pdf", "--clinic", "clinic.yaml", cwd=root)
    assert _one_error(result, root).startswith("error: --clinic clinic.yaml: is not a folder Fix: ")


def test_without_clinic_and_without_root_clinic_the_sheets_are_neutral_and_nothing_is_said(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    result = cli("render", "where-it-spreads", "-o", "x.pdf", cwd=root)
    assert result.code == 0, result.err
    assert result.err == ""
    assert (root / "x.pdf").exists()


@pytest.mark.parametrize("command", ["list", "lock", *CLINIC_COMMANDS])
def test_a_root_that_is_not_there_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    extra = ("--approved-by", "Committee") if command == "lock" else CLINIC_COMMANDS.get(command, ())
    result = cli(command, *extra, "--root", str(tmp_path / "projcet"), cwd=tmp_path)
    assert _one_error(result, tmp_path).startswith(f"error: --root {tmp_path / 'projcet'}: does not exist Fix: ")


@pytest.mark.parametrize("jobs", ["-5", "0"])
def test_build_refuses_fewer_than_one_job_before_any_work(tmp_path: Path, jobs: str) -> None:
    root = scratch_copy(tmp_path)
    result = cli("build", "--jobs", jobs, cwd=root)
    assert result.code == 2
    assert "Invalid value for '--jobs'" in result.err
    assert "Traceback" not in result.err
    assert not (root / "out").exists()


def _flags() -> list[tuple[str, object]]:
    """Every yes-or-no option of every command, and of factsheets itself, but --help and typer's completion."""
    group = typer.main.get_command(app)
    found = [("factsheets", p) for p in group.params]
    found += [(name, p) for name, command in group.commands.items() for p in command.params]
    typer_own = {"--install-completion", "--show-completion"}
    return [(n, p) for n, p in found if getattr(p, "is_flag", False) and not set(p.opts) & typer_own]


def test_flags_take_no_value_and_help_shows_none() -> None:
    """`--help` showed `--large-print <bool>`, but `--large-print true` was an error: a flag shows no value."""
    flags = _flags()
    assert {opt for _, p in flags for opt in p.opts} >= {"--large-print", "--strict", "--verbose", "--watch"}
    assert all(p.metavar == "" for _, p in flags), [(n, p.opts) for n, p in flags if p.metavar != ""]
    shown = cli("render", "--help").out
    line = next(line for line in shown.splitlines() if "--large-print" in line)
    assert "<bool>" not in line
    assert "18 pt body" in line


def test_schema_outside_a_project_is_a_plain_error_and_works_with_a_file_named(tmp_path: Path) -> None:
    result = cli("schema", cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith(f"error: there is no sheets/ folder here ({tmp_path}), so this is not a project")
    assert "factsheets schema -o sheet.schema.json" in result.err
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []  # no sheets/ folder made where there was none
    named = cli("schema", "-o", "sheet.schema.json", cwd=tmp_path)
    assert named.code == 0, named.err
    assert (
        json.loads((tmp_path / "sheet.schema.json").read_text(encoding="utf-8"))["title"]
        == "factsheets sheet definition"
    )


def test_shell_completion_is_available() -> None:
    """typer's --install-completion and --show-completion; the installed command completes commands and options."""
    script = Path(sys.executable).parent / "factsheets"
    # typer finds the shell among the command's parents (shellingham): run it from bash, as a user does, not
    # from whatever started pytest (a detached run has no shell above it: "Shell  not supported."); bash stays
    # its parent only with something after it (a lone command, bash replaces itself with).
    command = f'"{script}" --show-completion; exit $?'
    shown = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "_FACTSHEETS_COMPLETE=complete_bash" in shown.stdout

    def completes(*words: str) -> list[str]:
        env = {**os.environ, "_FACTSHEETS_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(["factsheets", *words]),
               "COMP_CWORD": str(len(words))}  # fmt: skip
        return subprocess.run([script], env=env, capture_output=True, text=True, check=True).stdout.split()

    assert completes("ch") == ["check"]
    assert completes("render", "--la") == ["--large-print"]
