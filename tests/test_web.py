"""The web form and API: good and bad requests, limits, crashes, and the patient's privacy."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from factsheets.project import Project
from factsheets.web import MAX_SHEETS, create_app

from conftest import ROOT
from pdf_tools import reader, text_of

NAME = "Zelda Quintessa Marlowe"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Project(ROOT), workers_count=2)) as test_client:
        yield test_client


def test_form_is_labelled_and_not_cached(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    html = response.text
    for field in ("cancer_type", "patient", "date", "care_team", "large_print"):
        assert f'<label for="{field}"' in html and f'id="{field}"' in html
    assert html.count('name="sheets"') == 11 and '<option value="" selected>Not specified</option>' in html
    assert '<button type="submit" id="create">Create PDF</button>' in html


def test_api_returns_one_pdf_with_a_page_per_sheet_and_the_name(client: TestClient) -> None:
    body = {"sheets": ["what-is-metastatic-cancer", "where-it-spreads", "bone"], "cancer_type": "breast",
            "patient": NAME, "care_team": "Dr Lee, 555-0100", "paper": "a4"}
    response = client.post("/api/handouts", json=body)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    pdf = reader(response.content)
    assert len(pdf.pages) == 3 and [o.title for o in pdf.outline if not isinstance(o, list)][1] == "Where cancer spreads"
    assert NAME in text_of(response.content) and "For people with breast cancer" in text_of(response.content)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"sheets": ["nope"]}, "sheets", "unknown sheet(s): nope"),
    ({"sheets": []}, "sheets", "at least 1 item"),
    ({"sheets": ["bone"] * (MAX_SHEETS + 1)}, "sheets", f"at most {MAX_SHEETS} items"),
    ({"sheets": ["bone"], "cancer_type": "brest"}, "cancer_type", "unknown cancer type; use one of: bladder"),
    ({"sheets": ["bone"], "paper": "a5"}, "paper", "'letter' or 'a4'"),
    ({"sheets": ["bone"], "patient": "x" * 121}, "patient", "at most 120 characters"),
    ({"sheets": ["bone"], "colour": "red"}, "colour", "Extra inputs are not permitted"),
    ({}, "sheets", "Field required"),
])
def test_bad_requests_say_which_field(client: TestClient, body: dict, field: str, words: str) -> None:
    response = client.post("/api/handouts", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field and words in response.json()["error"]
    assert "x" * 121 not in response.text  # bad personal input is not echoed back


def test_oversized_request_is_refused(client: TestClient) -> None:
    response = client.post("/api/handouts", content=b"{" + b" " * 20000 + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_openapi_describes_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/handouts"]["post"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert set(spec["components"]["schemas"]["HandoutRequest"]["properties"]) == {
        "sheets", "cancer_type", "patient", "date", "care_team", "paper", "large_print"}


def test_form_post_returns_pdf_and_errors_in_plain_words(client: TestClient) -> None:
    ok = client.post("/", data={"cancer_type": "lung", "sheets": ["lungs", "questions"], "patient": NAME})
    assert ok.status_code == 200 and len(reader(ok.content).pages) == 2
    missing = client.post("/", data={"cancer_type": "lung", "patient": NAME})
    assert missing.status_code == 400 and "Please tick at least one sheet to print." in missing.text
    assert "Traceback" not in missing.text and f'value="{NAME}"' in missing.text  # the form keeps what was typed


def test_busy_server_answers_503_with_retry_after(client: TestClient) -> None:
    pool = client.app.state.pool
    pool.pending = pool.max_pending
    try:
        response = client.post("/api/handouts", json={"sheets": ["bone"]})
    finally:
        pool.pending = 0
    assert response.status_code == 503 and response.headers["retry-after"] == "5"


def test_crashed_render_gives_500_and_the_server_keeps_serving(client: TestClient) -> None:
    pool = client.app.state.pool
    assert client.post("/api/handouts", json={"sheets": ["bone"]}).status_code == 200  # workers started
    for process in list(pool._pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
    time.sleep(0.5)
    crashed = client.post("/api/handouts", json={"sheets": ["bone"]})
    assert crashed.status_code == 500 and "renderer stopped unexpectedly" in crashed.json()["error"]
    assert client.post("/api/handouts", json={"sheets": ["bone"]}).status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.is_file() and ".venv" not in p.parts
            and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


def test_patient_name_is_in_no_log_line_and_no_file(scratch: Path) -> None:
    """A real `factsheets serve`: its whole log output and the project tree, before and after."""
    port = _free_port()
    before = _tree(scratch)
    tmp_before = set(os.listdir("/tmp"))
    server = subprocess.Popen([sys.executable, "-c", "from factsheets.cli import main; main()", "serve", "--port",
                               str(port)], cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        form = httpx.post(url + "/", data={"sheets": ["bone"], "patient": NAME, "care_team": f"{NAME} 555"})
        api = httpx.post(url + "/api/handouts", json={"sheets": ["liver"], "patient": NAME})
        bad = httpx.post(url + "/api/handouts", json={"sheets": ["nope"], "patient": NAME})
        assert (form.status_code, api.status_code, bad.status_code) == (200, 200, 400)
        assert NAME in text_of(form.content) and NAME in text_of(api.content)
    finally:
        server.send_signal(signal.SIGINT)
        log, _ = server.communicate(timeout=30)
    assert "POST /api/handouts 200" in log and "POST / 200" in log  # the access log works...
    assert "Zelda" not in log and "Quintessa" not in log  # ...and keeps no personal detail
    assert _tree(scratch) == before  # nothing written in the project, out/ included
    new_tmp = set(os.listdir("/tmp")) - tmp_before
    for name in new_tmp:
        path = Path("/tmp") / name
        if path.is_file():
            assert b"Quintessa" not in path.read_bytes()
