"""Reloading content while serving: a real `factsheets serve`, edited under it, told with SIGHUP or a save.

Every wait here is for something the server says (a log line), bounded by a generous deadline,
never a sleep that a slow machine could outrun; no test asserts how long anything took.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from helpers.pdfs import text_of
from helpers.project import ROOT, scratch_copy
from helpers.server import start_server

from factsheets.project import Project, load_content
from factsheets.quality.fit import fit_keys
from factsheets.quality.gate import gate

WAIT_SECONDS = 240.0  # for a log line: the check and the new workers' warm-up on a busy 2-core machine
PATIENT = "Quintessa Marlowe"
OLD, NEW, BROKEN = (
    "Signs, tests and treatment",
    "Signs, tests and how it is treated",
    "section: Bone metastases, misspelt",
)


@dataclass
class Served:
    """A running server, what it has printed, and its project folder."""

    url: str
    process: subprocess.Popen
    root: Path
    lines: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.lines)

    def wait_for(self, words: str, after: int = 0) -> str:
        """The first line from the `after`th on that holds `words`, once the server has printed it."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            found = next((line for line in self.lines[after:] if words in line), None)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"the server never said {words!r}:\n{self.log()}")

    def bone(self) -> str:
        response = httpx.get(self.url + "/handout.pdf", params={"sheet": "bone"}, timeout=120)
        assert response.status_code == 200, response.text[:300]
        return text_of(response.content)

    def edit(self, old: str, new: str) -> None:
        sheet = self.root / "sheets" / "bone.yaml"
        text = sheet.read_text(encoding="utf-8")
        assert old in text
        sheet.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """`factsheets serve --workers 1` on a copy of the project, with the arguments a test gives (indirect)."""
    root = scratch_copy(tmp_path)
    url, process = start_server(root, "--workers", "1", *getattr(request, "param", ()))
    running = Served(url, process, root)
    reader = threading.Thread(target=lambda: running.lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        running.wait_for("Open http://")
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        reader.join(timeout=10)


def _counts(root: Path) -> str:
    content = load_content(Project(root))
    return f"{len(content.sheets)} sheets and {len(content.corpus.documents)} sources"


def _keep_asking(served: Served, stop: threading.Event, answers: list[int]) -> None:
    """Requests one after another while the reload runs: none may go unanswered or fail."""
    while not stop.is_set():
        response = httpx.post(served.url + "/api/handouts", json={"sheets": ["bone"], "patient": PATIENT}, timeout=120)
        answers.append(response.status_code)


def test_sighup_serves_an_edit_and_a_broken_edit_keeps_the_last_good_content(served: Served) -> None:
    bone = ROOT / "sheets" / "bone.yaml"
    line = next(
        n for n, text in enumerate(bone.read_text().splitlines(), 1) if "Bone metastasis" in text and "How" in text
    )
    assert OLD in served.bone()

    served.edit(OLD, NEW)
    stop, answers = threading.Event(), []
    asking = threading.Thread(target=_keep_asking, args=(served, stop, answers))
    asking.start()
    try:
        mark = len(served.lines)
        served.process.send_signal(signal.SIGHUP)
        assert f"content reload (SIGHUP): now serving {_counts(served.root)}, checked in " in served.wait_for(
            "now serving", mark
        )
    finally:
        stop.set()
        asking.join(timeout=150)
    assert answers
    assert set(answers) == {200}  # no request dropped or refused while the content changed
    text = served.bone()
    assert NEW in text
    assert OLD not in text

    served.edit("section: How is metastatic cancer treated? > Bone metastasis", BROKEN)
    mark = len(served.lines)
    served.process.send_signal(signal.SIGHUP)
    still = served.wait_for("still serving the content loaded at", mark)
    why = [text for text in served.lines[mark:] if "refused: sheets/bone.yaml" in text]
    assert len(why) == 1, served.log()
    assert f"refused: sheets/bone.yaml:{line}: no section 'Bone metastases, misspelt' in source" in why[0]
    assert "fix the problem above, then reload again" in still
    assert NEW in served.bone()  # the last good content, still served

    health = httpx.get(served.url + "/healthz", timeout=10)
    assert health.json() == {"status": "ok", "workers": 1, "ready": 1}
    metrics = httpx.get(served.url + "/metrics", timeout=10).text
    assert 'factsheets_content_reloads_total{result="ok"} 1.0' in metrics
    assert 'factsheets_content_reloads_total{result="refused"} 1.0' in metrics
    assert PATIENT not in served.log()  # the reload's lines, like the requests', carry nothing of a patient's


@pytest.mark.parametrize("served", [("--watch",)], indirect=True)
def test_watch_reloads_on_a_save(served: Served) -> None:
    assert OLD in served.bone()
    mark = len(served.lines)
    served.edit(OLD, NEW)
    assert "content reload (saved: sheets/bone.yaml)" in served.wait_for("now serving", mark)
    assert NEW in served.bone()


def test_the_gate_refuses_what_check_fails_and_lays_out_only_what_changed(scratch: Path) -> None:
    project = Project(scratch)
    trusted = fit_keys(project, load_content(project))
    assert gate(project, trusted) == ([], trusted)  # nothing changed: nothing laid out, nothing wrong

    sheet = scratch / "sheets" / "bone.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    problems, keys = gate(project, trusted)
    assert problems == []
    bone = [v for v in load_content(project).variants() if v.sheet_id == "bone"]
    assert len(keys - trusted) == 4 * len(bone)  # bone's variants, on two papers in two prints: the only layouts made
    assert {key.split("|")[0] for key in keys - trusted} == {v.key for v in bone}
    assert not (scratch / "out").exists()  # a server's check writes nothing

    sheet.write_text(sheet.read_text(encoding="utf-8").replace("section: How is", "section: Why is"), encoding="utf-8")
    problems, keys = gate(project, trusted)
    assert keys == set()
    assert [p.file.name if p.file else None for p in problems] == ["bone.yaml"]
    assert "no section 'Why is metastatic cancer treated? > Bone metastasis'" in problems[0].message
