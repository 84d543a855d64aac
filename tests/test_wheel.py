"""A clinic installs factsheets, it does not clone it: the wheel carries the shipped look and content.

The wheel is built from this checkout, installed into a fresh virtualenv outside the repository
(its dependencies borrowed from the test environment through a .pth file, so nothing is
downloaded), and a project made there with `factsheets new` must build the same PDFs, with the
same text, as the repository does; a clinic's template override still wins over the packaged one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from helpers.pdfs import text_of
from helpers.project import ROOT, scratch_copy, variant_keys

from factsheets.build.run import build
from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.project import Project

_NOT_SHIPPED = {".git", ".venv", ".mypy_cache", ".ruff_cache", "out", "tests", "bench", "build", "dist"}


def _not_shipped(folder: str, names: list[str]) -> set[str]:
    """What the wheel is not built from: the checkout's own leftovers, at the top only (src/factsheets/build/ is code)."""
    top = Path(folder) == ROOT
    return {n for n in names if (top and n in _NOT_SHIPPED) or n == "__pycache__" or n.endswith(".egg-info")}


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv outside the repository with the wheel built from this checkout installed in it."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=_not_shipped)  # no build/ left in the checkout
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", work / "dist", source, cwd=work)
    (wheel,) = (work / "dist").glob("factsheets-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    site = Path(
        _run(
            venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work
        ).strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel, cwd=work)
    return venv


def test_the_wheel_holds_the_shipped_look_and_content(installed: Path) -> None:
    package = Path(
        _run(installed / "bin" / "python", "-c", "import factsheets; print(factsheets.__file__)", cwd=installed).strip()
    ).parent
    assert package.is_relative_to(installed)  # the wheel's copy, not this checkout
    shipped = package / "defaults"
    for name in ("templates", "styles", "assets", "sheets", "sources"):
        assert not (shipped / name).is_symlink()
        mine = sorted(p.relative_to(ROOT / name) for p in (ROOT / name).rglob("*") if p.is_file())
        assert sorted(p.relative_to(shipped / name) for p in (shipped / name).rglob("*") if p.is_file()) == mine


def test_a_new_project_builds_the_repositorys_handouts_with_the_same_text(installed: Path, tmp_path: Path) -> None:
    factsheets = installed / "bin" / "factsheets"
    _run(factsheets, "new", "riverside", cwd=tmp_path)
    project = tmp_path / "riverside"
    assert sorted(p.name for p in project.iterdir()) == ["README.md", "clinic", "factsheets.yaml", "sheets", "sources"]
    _run(factsheets, "build", "--jobs", "2", cwd=project)
    repository = scratch_copy(tmp_path / "repository")
    assert not build(Project(repository), jobs=2).failed
    theirs, ours = _pdfs(project / "out"), _pdfs(repository / "out")
    assert len(ours) == len(variant_keys()) + len(CANCER_TYPES)  # every variant, and a packet per type
    assert sorted(theirs) == sorted(ours)
    assert {name: text_of(pdf.read_bytes()) for name, pdf in theirs.items()} == {
        name: text_of(pdf.read_bytes()) for name, pdf in ours.items()
    }


def test_a_clinic_template_wins_over_the_packaged_one(installed: Path, tmp_path: Path) -> None:
    factsheets = installed / "bin" / "factsheets"
    _run(factsheets, "new", "riverside", cwd=tmp_path)
    notes = tmp_path / "riverside" / "clinic" / "templates" / "parts" / "notes.html"
    notes.parent.mkdir(parents=True)
    notes.write_text("<section><h2>Riverside's own notes</h2></section>\n", encoding="utf-8")
    _run(factsheets, "render", "bone", "-o", tmp_path / "bone.pdf", cwd=tmp_path / "riverside")
    text = text_of((tmp_path / "bone.pdf").read_bytes())
    assert "Riverside's own notes" in text
    assert "Notes from your care team" not in text


def _pdfs(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in out.rglob("*.pdf")}
