"""The web form and API: good and bad requests, limits, crashes, and the patient's privacy."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import signal
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from fastapi.testclient import TestClient
from helpers.infobutton import GUIDE_EXAMPLE_2, GUIDE_EXAMPLES
from helpers.pdfs import reader, text_of, ua_problems
from helpers.project import DATA, ROOT

from factsheets.project import Project
from factsheets.web.app import create_app
from factsheets.web.models import MAX_SHEETS

NAME = "Zelda Quintessa Marlowe"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Project(ROOT), workers_count=2, warm=False), base_url="http://localhost") as test_client:
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
        ({"sheets": None, "cancer_type": 3}, "cancer_type", "valid string"),
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


def test_openapi_describes_the_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/handouts"]["post"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert "application/fhir+json" in spec["paths"]["/api/handouts/records"]["post"]["responses"]["200"]["content"]
    assert {"/api/handouts/plan", "/infobutton", "/handout.pdf"} <= set(spec["paths"])
    assert set(spec["components"]["schemas"]["PrintRequest"]["properties"]) == {
        "sheets",
        "cancer_type",
        "sites",
        "codes",
        "paper",
        "large_print",
    }
    assert set(spec["components"]["schemas"]["HandoutRequest"]["properties"]) == {
        "sheets",
        "cancer_type",
        "sites",
        "codes",
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
    before = metrics(client)
    pool.pending = pool.max_pending
    try:
        response = client.post("/api/handouts", json={"sheets": ["bone"]})
        during = metrics(client)
    finally:
        pool.pending = 0
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert grew(before, during, "factsheets_busy_total", reason="renders") == 1
    assert grew(before, during, "factsheets_busy_total", reason="connections") == 0
    assert grew(before, during, "factsheets_requests_total", method="POST", route="/api/handouts", status="503") == 1
    assert during[("factsheets_workers_busy", frozenset())] == 2  # four renders asked for, two workers
    assert during[("factsheets_renders_waiting", frozenset())] == 2


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


def test_a_dead_worker_is_replaced_by_the_health_check_alone(client: TestClient) -> None:
    """A balancer stops sending requests to an unhealthy instance, so the health check itself must heal it."""
    healthy(client)
    before = metrics(client)
    os.kill(next(iter(client.app.state.handouts.pool._pool._processes.values())).pid, signal.SIGKILL)
    time.sleep(0.5)
    broken = client.get("/healthz")
    assert broken.status_code == 503
    assert broken.json()["status"] == "starting"
    assert broken.headers["retry-after"] == "5"
    assert healthy(client) == {"status": "ok", "workers": 2, "ready": 2}
    assert grew(before, metrics(client), "factsheets_worker_pool_restarts_total") == 1
    assert client.post("/api/handouts", json={"sheets": ["bone"]}).status_code == 200


def test_health_and_metrics_follow_the_requests_and_carry_nothing_personal(client: TestClient) -> None:
    assert healthy(client) == {"status": "ok", "workers": 2, "ready": 2}
    before = metrics(client)
    made = client.post("/api/handouts", json={"sheets": ["bone", "liver"], "patient": NAME})
    refused = client.post("/api/handouts", json={"sheets": ["nope"], "patient": NAME})
    planned = client.post("/api/handouts/plan", json={"cancer_type": "breast"})
    assert (made.status_code, refused.status_code, planned.status_code) == (200, 400, 200)
    client.get("/Zelda")  # a name in a URL
    text = client.get("/metrics").text
    after = metrics(client)
    assert grew(before, after, "factsheets_requests_total", method="POST", route="/api/handouts", status="200") == 1
    assert grew(before, after, "factsheets_requests_total", method="POST", route="/api/handouts", status="400") == 1
    assert grew(before, after, "factsheets_requests_total", method="GET", route="(other path)", status="404") == 1
    assert grew(before, after, "factsheets_sheets_rendered_total") == 2  # the plan renders nothing
    assert grew(before, after, "factsheets_render_seconds_count") == 1
    assert grew(before, after, "factsheets_render_seconds_bucket", le="+Inf") == 1
    assert after[("factsheets_workers", frozenset())] == 2
    assert after[("factsheets_workers_ready", frozenset())] == 2
    assert after[("factsheets_workers_busy", frozenset())] == 0
    for word in (*NAME.split(), "nope", "breast"):
        assert word not in text


def healthy(client: TestClient, seconds: float = 60) -> dict:
    """/healthz's body once it says 200 (workers start in the background: tests do not warm them)."""
    deadline = time.monotonic() + seconds
    while (response := client.get("/healthz")).status_code != 200 and time.monotonic() < deadline:
        assert response.status_code == 503
        time.sleep(0.1)
    assert response.status_code == 200, response.text
    return response.json()


def metrics(client: TestClient) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics, read by prometheus_client's own parser: {(name, labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def grew(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after[key] - before.get(key, 0.0)


@pytest.fixture(scope="module")
def riverside(tmp_path_factory: pytest.TempPathFactory):
    """The app for a clinic on A4 paper whose folder tries to override the form's style sheet."""
    clinic = tmp_path_factory.mktemp("riverside") / "clinic"
    shutil.copytree(DATA / "clinic", clinic)
    (clinic / "templates" / "web").mkdir(parents=True, exist_ok=True)
    css = (ROOT / "templates" / "web" / "form.css").read_text(encoding="utf-8")
    (clinic / "templates" / "web" / "form.css").write_text("/* Riverside */\n" + css, encoding="utf-8")
    with TestClient(
        create_app(Project(ROOT, clinic), workers_count=1, warm=False), base_url="http://localhost"
    ) as test_client:
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


# --- Spread sites, diagnosis codes, Infobutton and records (issue 13) -------------------------------

OVERVIEW_TITLES = ["What is metastatic cancer?", "How cancer spreads", "Where cancer spreads"]


def _bookmarks(pdf: bytes) -> list[str]:
    """The packet's top-level bookmarks: one per sheet, in order."""
    return [o.title for o in reader(pdf).outline if not isinstance(o, list)]


def _titles(client: TestClient, *sheet_ids: str) -> list[str]:
    plan = client.post("/api/handouts/plan", json={"sheets": list(sheet_ids)}).json()
    return [s["title"] for s in plan["sheets"]]


def test_sites_given_make_a_packet_of_overview_that_site_and_questions(client: TestClient) -> None:
    response = client.post("/api/handouts", json={"cancer_type": "breast", "sites": ["bone"], "patient": NAME})
    assert response.status_code == 200
    expected = _titles(
        client, "what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads", "bone", "questions"
    )
    assert expected[:3] == OVERVIEW_TITLES
    assert _bookmarks(response.content) == expected
    assert response.headers["factsheets-sheets"] == (
        "what-is-metastatic-cancer, how-cancer-spreads, where-it-spreads, bone, questions"
    )
    assert response.headers["factsheets-basis"] == "sites given: bone"
    assert NAME not in str(response.headers)


def test_codes_choose_the_type_and_sites_in_the_api(client: TestClient) -> None:
    response = client.post("/api/handouts", json={"codes": ["C50.911", "C79.51"]})
    assert response.status_code == 200
    assert response.headers["factsheets-sheets"].split(", ")[3] == "bone"
    assert "For people with breast cancer" in text_of(response.content)


def test_the_plan_lists_a_site_without_a_sheet_and_says_why_those_sites(client: TestClient) -> None:
    plan = client.post("/api/handouts/plan", json={"cancer_type": "ovary"}).json()
    assert plan["basis"] == "common sites for ovarian cancer"
    assert plan["no_sheet_for"] == ["peritoneum"]
    assert plan["notice"] == "No sheet yet for: the peritoneum."
    assert [s["id"] for s in plan["sheets"]][3:] == ["liver", "lungs", "questions"]


def test_a_site_without_a_sheet_is_named_in_the_pdfs_headers(client: TestClient) -> None:
    response = client.post("/api/handouts", json={"codes": ["C56.1", "C78.6", "C78.7"]})
    assert response.status_code == 200
    assert response.headers["factsheets-no-sheet-for"] == "peritoneum"
    assert response.headers["factsheets-sheets"].split(", ")[3:] == ["liver", "questions"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"sites": ["spleen"]}, "sites", "unknown site(s) of spread: spleen; use one or more of: bone, brain"),
        ({"codes": ["C50.999"]}, "codes", "C50.999 is not an ICD-10-CM code"),
        ({"codes": ["Z99.9"]}, "codes", "Z99.9 is not an ICD-10-CM code"),
        ({"codes": ["I10"]}, "codes", "I10 (Essential (primary) hypertension) is an ICD-10-CM code, but"),
        ({"codes": ["C50.911"], "cancer_type": "colon"}, "cancer_type", "the codes say breast cancer, but"),
        ({"codes": ["C50.911"] * 50}, "codes", "at most"),
        ({"patient": NAME}, "patient", "this answer carries no personal details: leave out patient"),
    ],
)
def test_a_bad_plan_request_is_refused_at_its_field(client: TestClient, body: dict, field: str, words: str) -> None:
    response = client.post("/api/handouts/plan", json=body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["error"]


def test_records_are_valid_fhir_without_a_patient(client: TestClient) -> None:
    from fhir.resources.R4B.bundle import Bundle  # R4B's DocumentReference and Bundle are R4's (see test_record)

    response = client.post("/api/handouts/records", json={"codes": ["C50.911", "C79.51"], "paper": "a4"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    bundle = Bundle.model_validate(response.json())
    references = [entry.resource for entry in bundle.entry]
    assert [r.masterIdentifier.value.split("@")[0] for r in references] == [
        "factsheets:what-is-metastatic-cancer/general",
        "factsheets:how-cancer-spreads/general",
        "factsheets:where-it-spreads/breast",
        "factsheets:bone/general",
        "factsheets:questions/general",
    ]
    assert all(r.subject is None for r in references)
    # the record's link makes the very PDF it hashes
    bone = references[3].content[0].attachment
    again = client.get(bone.url.removeprefix("http://localhost"))
    assert again.status_code == 200
    assert hashlib.sha256(again.content).digest() == base64.urlsafe_b64decode(
        references[3].identifier[0].value.removeprefix("ni:///sha-256;") + "="
    )
    assert len(reader(again.content).pages) == 1


def test_a_records_request_with_a_name_is_refused(client: TestClient) -> None:
    response = client.post("/api/handouts/records", json={"sheets": ["bone"], "patient": NAME})
    assert response.status_code == 400
    assert response.json() == {
        "error": "this answer carries no personal details: leave out patient",
        "field": "patient",
    }


INFOBUTTON = "/infobutton?mainSearchCriteria.v.c=C50.911&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
SECOND_CODE = "&mainSearchCriteria.v.c1=C79.51&mainSearchCriteria.v.cs1=2.16.840.1.113883.6.90"
CONTEXT = "&age.v.v=67&age.v.u=a&patientPerson.administrativeGenderCode.c=F&informationRecipient=PAT"


def test_infobutton_html_lists_the_handouts_and_the_packet(client: TestClient) -> None:
    response = client.get(INFOBUTTON + SECOND_CODE + CONTEXT)
    assert response.status_code == 200
    html = response.text
    assert "<h1>Handouts for breast cancer</h1>" in html
    links = re.findall(r'<a href="([^"]+)"', html)
    assert len(links) == 6  # five sheets and the packet
    assert all("age.v" not in link and "Gender" not in link for link in links)  # the patient's context is dropped
    packet = client.get(links[-1].replace("&amp;", "&").removeprefix("http://localhost"))
    assert packet.headers["content-type"] == "application/pdf"
    assert len(_bookmarks(packet.content)) == 5


def test_infobutton_json_is_an_atom_feed_of_the_handouts(client: TestClient) -> None:
    response = client.get(INFOBUTTON + "&knowledgeResponseType=application/json")
    assert response.status_code == 200
    feed = response.json()["feed"]
    assert feed["title"]["_value"] == "Handouts for breast cancer"
    assert [e["id"]["_value"].split("@")[0] for e in feed["entry"]][2:4] == [
        "factsheets:where-it-spreads/breast",
        "factsheets:bone/general",
    ]  # no site code: breast cancer's common sites, bone first
    first = client.get(feed["entry"][2]["link"][0]["href"].removeprefix("http://localhost"))
    assert "For people with breast cancer" in text_of(first.content)


def test_infobutton_pdf_is_the_packet(client: TestClient) -> None:
    response = client.get(INFOBUTTON + SECOND_CODE + "&knowledgeResponseType=application/pdf")
    assert response.status_code == 200
    assert _bookmarks(response.content)[3] == "When cancer spreads to the bone"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (INFOBUTTON.replace("6.90", "6.96"), "2.16.840.1.113883.6.96 (SNOMED CT), which is not supported"),
        (INFOBUTTON.replace("C50.911", "C50.999"), "C50.999 is not an ICD-10-CM code"),
        (INFOBUTTON + "&knowledgeResponseType=text/xml", "knowledgeResponseType"),
    ],
)
def test_infobutton_refuses_what_it_cannot_answer_with_a_400(client: TestClient, query: str, words: str) -> None:
    response = client.get(query)
    assert response.status_code == 400
    assert words in response.json()["error"]


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        ("C50.911,C79.51", "it looks like more than one code"),  # was a 500: a pydantic error escaped the route
        ("C50.911 C79.51", "it looks like more than one code"),
        ("C50.9111", "C50.9111 is not an ICD-10-CM code"),  # 8 characters: the code table's to judge
        ("C50.911C79", "C50.911C79 is not an ICD-10-CM code"),  # 10: the longest a code may be written
        ("C50.911C795", "longer than an ICD-10-CM code (at most 10 characters)"),  # 11
        ("C" * 200, "longer than an ICD-10-CM code (at most 10 characters)"),  # the longest value read
    ],
)
def test_infobutton_refuses_a_code_of_any_length_with_a_400_naming_its_parameter(
    client: TestClient, codes: str, words: str
) -> None:
    for response_type in ("text/html", "application/json", "application/pdf"):
        query = {"mainSearchCriteria.v.c": codes, "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90"}
        response = client.get("/infobutton", params={**query, "knowledgeResponseType": response_type})
        assert response.status_code == 400, response.text
        assert response.json()["field"] == "mainSearchCriteria.v.c"
        assert words in response.json()["error"]


def test_infobutton_answers_a_code_of_every_length_up_to_200_with_a_400(client: TestClient) -> None:
    statuses = {
        client.get(INFOBUTTON.replace("C50.911", "C50.911" + "9" * (length - 7))).status_code
        for length in range(8, 201)
    }
    assert statuses == {400}


def test_a_records_answer_names_the_sites_without_a_sheet(client: TestClient) -> None:
    response = client.post("/api/handouts/records", json={"cancer_type": "breast", "sites": ["bone", "peritoneum"]})
    assert response.status_code == 200
    assert response.headers["factsheets-no-sheet-for"] == "peritoneum"
    assert response.headers["factsheets-basis"] == "sites given: bone, peritoneum"


def test_sheets_listed_are_said_to_be_listed(client: TestClient) -> None:
    plan = client.post("/api/handouts/plan", json={"sheets": ["bone"], "sites": ["brain"]}).json()
    assert plan["basis"] == "sheets as listed"
    assert [s["id"] for s in plan["sheets"]] == ["bone"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("", "sheet", "Field required"),
        ("?sheet=bone&patient=Zelda", "patient", "nothing personal (it is a link): leave out patient"),
        ("?sheet=bone&sheet=brain", "sheet", "takes one sheet"),
        ("?sheet=bone&printed=0001-01-01", "printed", "printed must be a date from 2020-01-01 to today"),
        ("?sheet=bone&printed=2025-13-45", "printed", "valid date"),
        ("?sheet=bone&paper=a3", "paper", "'letter' or 'a4'"),
        ("?sheet=../etc", "sheet", "should match pattern"),
    ],
)
def test_a_bad_handout_link_is_refused_at_its_parameter(client: TestClient, query: str, field: str, words: str) -> None:
    response = client.get("/handout.pdf" + query)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["error"]


def test_infobutton_repeats_no_free_text_and_names_its_own_parameter(client: TestClient) -> None:
    free = "&mainSearchCriteria.v.ot=Zelda+typed+this&mainSearchCriteria.v.dn=Zelda+Breast"
    html = client.get(INFOBUTTON + free).text
    assert "Zelda" not in html
    feed = client.get(INFOBUTTON + free + "&knowledgeResponseType=application/json").text
    assert "Zelda" not in feed
    wrong = client.get(INFOBUTTON.replace("C50.911", "Z99.999")).json()
    assert wrong["field"] == "mainSearchCriteria.v.c"


def test_infobutton_feed_ends_with_the_packet_and_names_sites_without_a_sheet(client: TestClient) -> None:
    site = "&mainSearchCriteria.v.c1=C78.6&mainSearchCriteria.v.cs1=2.16.840.1.113883.6.90"
    feed = client.get(INFOBUTTON + site + "&knowledgeResponseType=application/json").json()["feed"]
    assert feed["subtitle"]["_value"].endswith("No sheet yet for: the peritoneum.")
    packet = feed["entry"][-1]
    assert packet["title"]["_value"] == "Handouts for breast cancer"
    assert client.get(packet["link"][0]["href"].removeprefix("http://localhost")).headers["content-type"] == (
        "application/pdf"
    )


def _with(example: str, **swap: str) -> str:
    """A guide example's query with some parameters set (added when absent), as a URL query string."""
    pairs = [(k, swap.pop(k, v)) for k, v in parse_qsl(example, keep_blank_values=True)]
    return urlencode(pairs + list(swap.items()))


@pytest.mark.parametrize("response_type", ["text/html", "application/json", "application/pdf"])
@pytest.mark.parametrize(("example", "oid", "system"), GUIDE_EXAMPLES.values(), ids=GUIDE_EXAMPLES.keys())
def test_infobutton_answers_the_guides_examples(
    client: TestClient, example: str, oid: str, system: str, response_type: str
) -> None:
    """As written, each asks in a code system we do not answer: a 400 naming it. With its code as ICD-10-CM,
    each is answered in the type asked for, except example 2, which asks for Spanish."""
    written = client.get("/infobutton?" + _with(example, knowledgeResponseType=response_type))
    assert written.status_code == 400
    assert f"{oid} ({system}), which is not supported" in written.json()["error"]
    coded = client.get(
        "/infobutton?" + _with(example, knowledgeResponseType=response_type, **{
            "mainSearchCriteria.v.c": "C50.911", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90"})
    )  # fmt: skip
    if example == GUIDE_EXAMPLE_2:
        assert coded.status_code == 400
        assert "English only" in coded.json()["error"]
        return
    assert coded.status_code == 200, coded.text
    assert coded.headers["content-type"].startswith(response_type)
    assert "organizationpassword" not in coded.text
