"""The web form and API: good and bad requests, limits, crashes, and the patient's privacy."""

from __future__ import annotations

import os
import shutil
import signal
import time

import pytest
from fastapi.testclient import TestClient
from helpers import DATA, ROOT, reader, text_of, ua_problems

from factsheets.project import Project
from factsheets.web import MAX_SHEETS, create_app

NAME = "Zelda Quintessa Marlowe"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Project(ROOT), workers_count=2), base_url="http://localhost") as test_client:
        yield test_client


def test_form_is_labelled_and_not_cached(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    for field in ("cancer_type", "patient", "date", "care_team", "large_print"):
        assert f'<label for="{field}"' in html
        assert f'id="{field}"' in html
    assert html.count('name="sheets"') == 11
    assert '<option value="" selected>Not specified</option>' in html
    assert '<button type="submit" id="create">Create PDF</button>' in html


def test_api_returns_one_pdf_with_a_page_per_sheet_and_the_name(client: TestClient) -> None:
    body = {
        "sheets": ["what-is-metastatic-cancer", "where-it-spreads", "bone"],
        "cancer_type": "breast",
        "patient": NAME,
        "care_team": "Dr Lee, 555-0100",
        "paper": "a4",
    }
    response = client.post("/api/handouts", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    pdf = reader(response.content)
    assert len(pdf.pages) == 3
    assert [o.title for o in pdf.outline if not isinstance(o, list)][1] == "Where cancer spreads"
    assert NAME in text_of(response.content)
    assert "For people with breast cancer" in text_of(response.content)
    assert ua_problems(response.content, sheets=3) == []  # tagged like a single sheet: one document


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"sheets": ["nope"]}, "sheets", "unknown sheet(s): nope"),
        ({"sheets": []}, "sheets", "at least 1 item"),
        ({"sheets": ["bone"] * (MAX_SHEETS + 1)}, "sheets", f"at most {MAX_SHEETS} items"),
        (
            {"sheets": ["bone"], "cancer_type": "brest"},
            "cancer_type",
            "unknown cancer type 'brest'; use one of: bladder",
        ),
        ({"sheets": ["bone"], "paper": "a5"}, "paper", "'letter' or 'a4'"),
        ({"sheets": ["bone"], "patient": "x" * 61}, "patient", "Patient name is 61 characters long; at most 60 fit"),
        ({"sheets": ["bone"], "care_team": "x" * 81}, "care_team", "is 81 characters long; at most 80 fit"),
        ({"sheets": ["../etc"]}, "sheets", "should match pattern"),
        (
            {"sheets": ["bone"], "patient": "Dr \u202elive"},
            "patient",
            "direction control (U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        ({"sheets": ["bone"], "date": "1 Dec\u0007"}, "date", "cannot be printed (U+0007"),
        ({"sheets": ["bone"], "large_print": "yes"}, "large_print", "valid boolean"),
        ({"sheets": ["bone"], "large_print": 1}, "large_print", "valid boolean"),
        ({"sheets": ["bone"], "colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({}, "sheets", "Field required"),
    ],
)
def test_bad_requests_say_which_field(client: TestClient, body: dict, field: str, words: str) -> None:
    response = client.post("/api/handouts", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert words in response.json()["error"]
    assert "x" * 61 not in response.text
    assert "zorblax" not in response.text  # bad input is not echoed back


def test_a_cancer_type_may_be_spelled_as_the_command_line_accepts_it(client: TestClient) -> None:
    response = client.post("/api/handouts", json={"sheets": ["where-it-spreads"], "cancer_type": "Breast"})
    assert response.status_code == 200, response.text
    assert "For people with breast cancer" in text_of(response.content)


@pytest.mark.parametrize(
    ("patient", "words"),
    [
        ("Ann \U0001fae0 Lee", "no installed font can print (U+1FAE0 MELTING FACE)"),  # no font on the machine has it
        ("W" * 60, "too long to fit on its line of the sheet"),  # within 60 characters, but wider than the line
    ],
)
def test_a_name_that_would_not_print_is_refused_at_its_field(client: TestClient, patient: str, words: str) -> None:
    response = client.post("/api/handouts", json={"sheets": ["bone", "questions"], "patient": patient})
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "patient", response.text
    assert words in response.json()["error"]


def test_the_forms_default_packet_prints_with_every_personal_field(client: TestClient) -> None:
    form = client.get("/").text  # the packet ticked when no type is chosen (answered 422 before)
    ticked = [
        s
        for s in ("what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads", "questions")
        if f'value="{s}" checked' in form
    ]
    assert len(ticked) == 4
    response = client.post(
        "/",
        data={
            "sheets": ticked,
            "patient": "Maria Guadalupe Fernandez-Castellanos de la Torre",
            "date": "22 Nov 2026",
            "care_team": "Dr Alexandra Pemberton-Smythe, 555-0100",
        },
    )
    assert response.status_code == 200
    assert len(reader(response.content).pages) == 4


def test_spaces_are_folded_before_a_value_is_measured(client: TestClient) -> None:
    assert client.post("/api/handouts", json={"sheets": ["bone"], "patient": "Ann" + " " * 70}).status_code == 200


def test_bad_json_is_answered_without_a_character_offset_as_field(client: TestClient) -> None:
    response = client.post(
        "/api/handouts", content=b'{"sheets": ["bone"], x', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "the request body is not valid JSON", "field": None}


def test_oversized_request_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/handouts", content=b"{" + b" " * 20000 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_openapi_describes_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/handouts"]["post"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert set(spec["components"]["schemas"]["HandoutRequest"]["properties"]) == {
        "sheets",
        "cancer_type",
        "patient",
        "date",
        "care_team",
        "paper",
        "large_print",
    }


def test_form_post_returns_pdf_and_errors_in_plain_words(client: TestClient) -> None:
    ok = client.post("/", data={"cancer_type": "lung", "sheets": ["lungs", "questions"], "patient": NAME})
    assert ok.status_code == 200
    assert len(reader(ok.content).pages) == 2
    assert ua_problems(ok.content, sheets=2) == []
    missing = client.post("/", data={"cancer_type": "lung", "patient": NAME})
    assert missing.status_code == 400
    assert "Please tick at least one sheet to print." in missing.text
    assert "Traceback" not in missing.text
    assert f'value="{NAME}"' in missing.text  # the form keeps what was typed
    long = client.post("/", data={"sheets": ["lungs"], "care_team": "x" * 81})
    assert long.status_code == 400
    assert "Care team contact is 81 characters long; at most 80 fit" in long.text
    hidden = client.post("/", data={"sheets": ["lungs"], "patient": "Ann \u202eLee"})
    assert hidden.status_code == 400
    assert "Patient name contains an invisible direction control" in hidden.text


def test_busy_server_answers_503_with_retry_after(client: TestClient) -> None:
    pool = client.app.state.handouts.pool
    pool.pending = pool.max_pending
    try:
        response = client.post("/api/handouts", json={"sheets": ["bone"]})
    finally:
        pool.pending = 0
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


def test_a_killed_worker_costs_no_request_and_leaves_no_survivor(client: TestClient) -> None:
    pool = client.app.state.handouts.pool
    assert client.post("/api/handouts", json={"sheets": ["bone"]}).status_code == 200  # workers started
    old = list(pool._pool._processes.values())
    os.kill(old[0].pid, signal.SIGKILL)
    time.sleep(0.5)
    retried = client.post("/api/handouts", json={"sheets": ["bone"]})
    assert retried.status_code == 200  # tried again on a new pool: a render has no side effects
    for process in old:
        process.join(timeout=10)
        assert not process.is_alive()  # the broken pool's other worker was stopped, not left running


@pytest.fixture(scope="module")
def riverside(tmp_path_factory: pytest.TempPathFactory):
    """The app for a clinic on A4 paper whose folder tries to override the form's style sheet."""
    clinic = tmp_path_factory.mktemp("riverside") / "clinic"
    shutil.copytree(DATA / "clinic", clinic)
    (clinic / "templates" / "web").mkdir(parents=True, exist_ok=True)
    css = (ROOT / "templates" / "web" / "form.css").read_text(encoding="utf-8")
    (clinic / "templates" / "web" / "form.css").write_text("/* Riverside */\n" + css, encoding="utf-8")
    with TestClient(create_app(Project(ROOT, clinic), workers_count=1), base_url="http://localhost") as test_client:
        yield test_client


def test_the_form_starts_on_the_clinics_paper(riverside: TestClient, client: TestClient) -> None:
    assert 'value="a4" checked' in riverside.get("/").text
    assert 'value="letter" checked' in client.get("/").text


def test_a_request_without_paper_prints_on_the_clinics_paper(riverside: TestClient) -> None:
    response = riverside.post("/api/handouts", json={"sheets": ["questions"]})
    assert response.status_code == 200, response.text
    width, height = (round(float(v)) for v in reader(response.content).pages[0].mediabox[2:])
    assert (width, height) == (595, 842)  # A4 in points, as the clinic's clinic.yaml says


def test_the_forms_script_and_style_are_the_projects_own(riverside: TestClient, client: TestClient) -> None:
    """A script on the page where names are typed is code, not content: a clinic folder cannot supply it."""
    assert riverside.get("/form.css").text == client.get("/form.css").text
    assert not riverside.get("/form.css").text.startswith("/* Riverside */")
    assert riverside.get("/form.js").text == client.get("/form.js").text
