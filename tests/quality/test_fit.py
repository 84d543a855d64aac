"""`check` lays out every variant on letter and A4 with the personal box; fits are cached by input hash."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.cli import cli

from factsheets.project import Project, load_content
from factsheets.quality.fit import CACHE, check_fit

# Just over a page once the personal box is reserved: 'check' must catch it, as 'build' would.
TOO_LONG = "id: too-long\ntitle: Too long with a name on it\nsections:\n" + "".join(
    f"  - heading: Part {n}\n    passages:\n      - source: clevelandclinic-metastasis\n        section: {section}\n"
    for n, section in enumerate(
        [
            "Imaging tests",
            "Tumor markers",
            "How do I take care of myself?",
            "What questions should I ask my doctor?",
            "Is metastatic cancer curable?",
        ]
    )
)


def _project(scratch: Path, *keep: str) -> Project:
    for sheet in (scratch / "sheets").glob("*.yaml"):
        if sheet.stem not in keep:
            sheet.unlink()
    return Project(scratch)


def test_fits_are_cached_and_relaid_when_an_input_changes(scratch: Path) -> None:
    project = _project(scratch, "liver", "brain")
    assert check_fit(project, load_content(project)) == ([], 4)  # 2 sheets x 2 papers
    assert check_fit(project, load_content(project)) == ([], 0)  # nothing changed: all cached
    liver = scratch / "sheets" / "liver.yaml"
    liver.write_text(liver.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert check_fit(project, load_content(project)) == ([], 2)  # only the edited sheet, both papers
    (project.out_dir / CACHE).write_text("{not json", encoding="utf-8")
    assert check_fit(project, load_content(project)) == ([], 4)  # a damaged cache is not trusted
    data = json.loads((project.out_dir / CACHE).read_text(encoding="utf-8"))
    data["factsheets"] = "0.0.0"
    (project.out_dir / CACHE).write_text(json.dumps(data), encoding="utf-8")
    assert check_fit(project, load_content(project)) == ([], 4)  # nor one from another version


def test_check_fails_on_a_sheet_that_does_not_fit_with_the_personal_box(scratch: Path) -> None:
    _project(scratch, "liver")
    (scratch / "sheets" / "too-long.yaml").write_text(TOO_LONG, encoding="utf-8")
    result = cli("check", cwd=scratch)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "error: sheets/too-long.yaml: sheet 'too-long' (general, letter) does not fit on 1 page(s)" in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert "(general, a4)" in errors[1]
    assert all("too-long" in line for line in errors)
