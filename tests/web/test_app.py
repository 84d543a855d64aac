"""The web form and API: good and bad requests, limits, crashes, and the patient's privacy."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import signal
import time
from pathlib import Path
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
    assert html.count('name="sheets"') == len(client.app.state.handouts.content.sheets)
    assert '<option value="" selected>Not specified</option>' in html
    assert '<button type="submit" id="create">Create PDF</button>' in html


def test_api_returns_one_pdf_with_a_page_per_sheet_and_the_name(client: TestClient) -> None:
    body = {
        "sheets": ["what-is-metastatic-cancer", "where-it-spreads", "bone"],  # no type, sites or codes: as listed
        "patient": NAME,
        "care_team": "Dr Lee, 555-0100",
        "paper": "a4",
    }
    response = client.post("/api/handouts", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["factsheets-summary"] == "3 sheets: as listed (no cancer type, sites or codes given)"
    pdf = reader(response.content)
    assert len(pdf.pages) == 3
    summary = response.headers["factsheets-summary"]
    assert _bookmarks(response.content)[:3] == [summary, "What is metastatic cancer?", "Where cancer spreads"]
    assert NAME in text_of(response.content)
    assert ua_problems(response.content, sheets=3, summary=True) == []  # tagged like a single sheet: one document


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"sheets": ["nope"]}, "sheets", "unknown sheet(s): nope"),
        ({"sheets": []}, "sheets", "nothing to print: no cancer type, sites or codes given, and no sheet ticked"),
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
    response = client.post("/api/handouts", json={"sites": ["bone"], "cancer_type": "Breast"})
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
    data = {
        "sheets": ticked,
        "patient": "Maria Guadalupe Fernandez-Castellanos de la Torre",
        "date": "22 Nov 2026",
        "care_team": "Dr Alexandra Pemberton-Smythe, 555-0100",
    }
    response = client.post("/", data={**data, "make": "pdf"})
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
    ok = client.post("/", data={"sheets": ["lungs", "questions"], "patient": NAME, "make": "pdf"})
    assert ok.status_code == 200
    assert len(reader(ok.content).pages) == 2
    assert ua_problems(ok.content, sheets=2, summary=True) == []
    missing = client.post("/", data={"cancer_type": "", "patient": NAME})
    assert missing.status_code == 400
    assert "nothing to print: no cancer type, sites or codes given, and no sheet ticked or listed. " in missing.text
    assert "Choose the cancer type, or tick at least one sheet." in missing.text
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


# --- The clinic's branding on the form, a favicon, and dates read alike everywhere (issue 25) ----------


def test_the_form_shows_the_clinics_name_logo_and_colour(riverside: TestClient, client: TestClient) -> None:
    html = riverside.get("/").text
    assert "<title>Print patient handouts – Riverside Cancer Centre</title>" in html
    assert '<p class="clinic-name">Riverside Cancer Centre</p>' in html
    assert '<img src="/clinic-logo" alt="">' in html  # beside the name it shows: decorative
    assert '<link rel="stylesheet" href="/clinic.css">' in html
    css = riverside.get("/clinic.css")
    assert css.headers["content-type"].startswith("text/css")
    assert css.text == ":root { --accent: #5a1e6e; --accent-text: #5a1e6e; }\n"  # 10.9:1 on white: text too
    logo = riverside.get("/clinic-logo")
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/svg+xml"
    assert logo.content == (DATA / "clinic" / "logo.svg").read_bytes()  # the file the sheets print, as checked
    assert "sandbox" in logo.headers["content-security-policy"]  # opened on its own, it runs nothing
    assert "script-src" not in logo.headers["content-security-policy"]
    assert logo.headers["x-content-type-options"] == "nosniff"
    neutral = client.get("/").text  # no clinic: no header, the sheets' own blue
    assert 'class="clinic' not in neutral
    assert "<title>Print patient handouts</title>" in neutral
    assert client.get("/clinic.css").text == ":root { --accent: #1d3f6e; --accent-text: #1d3f6e; }\n"
    assert client.get("/clinic-logo").status_code == 404


def test_a_raster_logo_is_served_at_its_print_size(tmp_path: Path) -> None:
    from PIL import Image

    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "clinic.yaml").write_text("logo: logo.png\naccent_color: '#0b5d3b'\n", encoding="utf-8")
    Image.new("RGB", (2400, 1200), (0x0B, 0x5D, 0x3B)).save(clinic / "logo.png")
    with TestClient(create_app(Project(ROOT, clinic), workers_count=1, warm=False), base_url="http://localhost") as app:
        assert '<img src="/clinic-logo" alt="Clinic logo">' in app.get("/").text  # no name beside it: named
        logo = app.get("/clinic-logo")
        assert logo.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(logo.content)) as png:
            assert png.size == (600, 300)  # the copy the sheets embed, never the 2400-pixel original
        assert "--accent: #0b5d3b" in app.get("/clinic.css").text


def test_the_clinics_colour_is_text_only_where_it_reads_on_white() -> None:
    """clinic.yaml refuses a colour white text cannot read on; should one get through, it is a bar, not text."""
    from factsheets.web.state import clinic_css

    assert clinic_css("#ffd200") == ":root { --accent: #ffd200; --accent-text: #1d3f6e; }\n"  # 1.44:1 on white
    assert clinic_css("#0b5d3b") == ":root { --accent: #0b5d3b; --accent-text: #0b5d3b; }\n"


@pytest.mark.parametrize("path", ["/", "/favicon.ico", "/favicon.svg"])
def test_a_favicon_is_served_so_no_page_load_logs_a_404(client: TestClient, path: str) -> None:
    if path == "/":
        html = client.get("/").text
        assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in html
        assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in html
        return
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/")
    if path == "/favicon.ico":
        from PIL import Image

        with Image.open(io.BytesIO(response.content)) as icon:
            assert icon.format == "ICO"
            assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])


def test_a_date_reads_and_prints_alike_from_the_cli_the_form_and_the_api(riverside: TestClient, tmp_path: Path) -> None:
    """One function reads the date everywhere: Riverside prints on A4, so 03/04/2026 is 3 April."""
    from helpers.cli import cli

    clinic = str(riverside.app.state.handouts.project.clinic_dir)
    api = riverside.post("/api/handouts", json={"sheets": ["questions"], "date": "03/04/2026"})
    step = riverside.post("/", data={"sheets": ["questions"], "date": "03/04/2026"})
    form = riverside.post("/", data={"sheets": ["questions"], "date": "03/04/2026", "make": "pdf"})
    made = cli("render", "questions", "--clinic", clinic, "--date", "03/04/2026", "-o", str(tmp_path / "q.pdf"))
    assert made.code == 0, made.err
    for pdf in (api.content, form.content, (tmp_path / "q.pdf").read_bytes()):
        assert "3 April 2026" in text_of(pdf)
    assert (
        'id="date" name="date" aria-describedby="date-hint" maxlength="30" autocomplete="off" value="3 April 2026"'
        in step.text
    )  # the nurse sees how it was read
    assert "04/03/2026 is 4 March 2026." in step.text  # the field's hint says how numbers are read here
    for typed in ("31/02/2026", "1 Dec", "x" * 31):
        api = riverside.post("/api/handouts", json={"sheets": ["questions"], "date": typed})
        form = riverside.post("/", data={"sheets": ["questions"], "date": typed})
        made = cli("render", "questions", "--clinic", clinic, "--date", typed, "-o", str(tmp_path / "no.pdf"))
        message = api.json()["error"]
        assert message.startswith("Date "), message
        assert (api.status_code, api.json()["field"], form.status_code) == (400, "date", 400)
        assert f'<p class="error" role="alert" id="error" tabindex="-1">{message}</p>' in form.text
        assert made.code == 1
        assert made.err.strip() == f"error: --date: {message}"
        assert not (tmp_path / "no.pdf").exists()


def test_the_date_field_starts_at_today_as_it_will_print(riverside: TestClient, client: TestClient) -> None:
    import datetime as dt

    from factsheets.render.personal import MONTHS

    today = dt.date.today()
    month = MONTHS[today.month - 1]
    assert f'value="{month} {today.day}, {today.year}"' in client.get("/").text  # letter: month first
    assert f'value="{today.day} {month} {today.year}"' in riverside.get("/").text  # A4: day first


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
    assert _bookmarks(response.content) == [response.headers["factsheets-summary"], *expected]
    assert response.headers["factsheets-summary"] == "5 sheets: breast cancer; spread to bone"
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
    plan = client.post("/api/handouts/plan", json={"cancer_type": "prostate"}).json()
    assert plan["basis"] == "common sites for prostate cancer"
    assert plan["no_sheet_for"] == ["adrenal"]
    assert plan["notice"] == "No sheet yet for: the adrenal gland."
    assert [s["id"] for s in plan["sheets"]][3:] == ["bone", "liver", "lungs", "questions"]


def test_a_site_without_a_sheet_is_named_in_the_pdfs_headers(client: TestClient) -> None:
    response = client.post("/api/handouts", json={"codes": ["C61", "C79.71", "C78.7"]})
    assert response.status_code == 200
    assert response.headers["factsheets-no-sheet-for"] == "adrenal"
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
        "factsheets:bone/breast",
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
    assert _bookmarks(packet.content)[0] == "5 sheets: breast cancer (C50.911); spread to bone (C79.51)"
    assert len(_bookmarks(packet.content)) == 6  # what was chosen, then the five sheets
    assert '<p id="summary">5 sheets: breast cancer (C50.911); spread to bone (C79.51)</p>' in html


def test_infobutton_json_is_an_atom_feed_of_the_handouts(client: TestClient) -> None:
    response = client.get(INFOBUTTON + "&knowledgeResponseType=application/json")
    assert response.status_code == 200
    feed = response.json()["feed"]
    assert feed["title"]["_value"] == "Handouts for breast cancer"
    assert [e["id"]["_value"].split("@")[0] for e in feed["entry"]][2:4] == [
        "factsheets:where-it-spreads/breast",
        "factsheets:bone/breast",
    ]  # no site code: breast cancer's common sites, bone first
    first = client.get(feed["entry"][2]["link"][0]["href"].removeprefix("http://localhost"))
    assert "For people with breast cancer" in text_of(first.content)


def test_infobutton_pdf_is_the_packet(client: TestClient) -> None:
    response = client.get(INFOBUTTON + SECOND_CODE + "&knowledgeResponseType=application/pdf")
    assert response.status_code == 200
    assert _bookmarks(response.content)[4] == "When cancer spreads to the bone"


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
    response = client.post("/api/handouts/records", json={"cancer_type": "breast", "sites": ["bone", "adrenal"]})
    assert response.status_code == 200
    assert response.headers["factsheets-no-sheet-for"] == "adrenal"
    assert response.headers["factsheets-basis"] == "sites given: bone, adrenal"


def test_sheets_listed_add_to_what_the_sites_bring_and_alone_are_said_to_be_listed(client: TestClient) -> None:
    plan = client.post("/api/handouts/plan", json={"sheets": ["bone"], "sites": ["brain"]}).json()
    assert plan["basis"] == "sites given: brain"
    assert [s["id"] for s in plan["sheets"]][3:] == ["bone", "brain", "questions"]
    assert (plan["added"], plan["listed"]) == (["bone"], False)
    assert plan["summary"] == "6 sheets: spread to brain; sheets added: bone"
    alone = client.post("/api/handouts/plan", json={"sheets": ["bone"]}).json()
    assert (alone["basis"], alone["listed"], [s["id"] for s in alone["sheets"]]) == ("sheets as listed", True, ["bone"])


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
    site = "&mainSearchCriteria.v.c1=C79.71&mainSearchCriteria.v.cs1=2.16.840.1.113883.6.90"
    feed = client.get(INFOBUTTON + site + "&knowledgeResponseType=application/json").json()["feed"]
    assert feed["subtitle"]["_value"].endswith("No sheet yet for: the adrenal gland.")
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


# --- One rule for the form, the API and the CLI; the answer says what it chose (issue 22) ---------------

CODES_FORM = {"codes": "C50.911, C79.51", "patient": NAME, "date": "", "care_team": ""}
DEFAULT_TICKS = ["what-is-metastatic-cancer", "how-cancer-spreads", "where-it-spreads", "questions"]


def _summary_on(page: str) -> str:
    found = re.search(r'<p class="summary" id="summary">([^<]*)</p>', page)
    assert found, page
    return found.group(1)


def _download_form(page: str) -> list[tuple[str, str]]:
    """The fields the ready page's "Open the PDF" button posts: the request again, with make=pdf."""
    form = page.split('<section class="ready"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', form)


CODES = ["C50.911", "C79.51"]


@pytest.mark.parametrize(
    ("form", "cli_args", "api"),
    [  # codes, "Tick" never pressed; the type alone, nothing ticked for it; ticks and codes
        ({**CODES_FORM, "sheets": DEFAULT_TICKS}, ["--icd10", "C50.911,C79.51"], {"codes": CODES}),
        ({"cancer_type": "breast", "sheets": DEFAULT_TICKS}, ["--type", "breast"], {"cancer_type": "breast"}),
        (
            {**CODES_FORM, "sheets": [*DEFAULT_TICKS, "liver"]},
            ["--icd10", "C50.911,C79.51", "--sheets", "liver"],
            {"codes": CODES, "sheets": ["liver"]},
        ),
    ],
    ids=["codes", "type", "ticks-and-codes"],
)
def test_the_form_chooses_on_the_server_as_the_cli_and_the_api_do_and_says_so(
    client: TestClient, tmp_path: Path, form: dict, cli_args: list[str], api: dict
) -> None:
    """Without a script: "Create PDF" shows what will print and why above the button that makes it; that PDF's
    bookmarks are the CLI's `packet` for the same request, and the form, the API and the CLI say the same words."""
    from helpers.cli import cli

    ready = client.post("/", data=form)
    assert ready.status_code == 200, ready.text
    assert ready.headers["content-type"].startswith("text/html")
    summary = _summary_on(ready.text)
    assert '<button type="submit" id="download" autofocus>Open the PDF' in ready.text
    assert ready.text.index('id="summary"') < ready.text.index('id="download"')  # said above the button
    fields = _download_form(ready.text)
    assert ("make", "pdf") in fields
    made = client.post("/", content=urlencode(fields), headers={"content-type": "application/x-www-form-urlencoded"})
    assert made.status_code == 200, made.text
    assert made.headers["factsheets-summary"] == summary
    out = tmp_path / "cli.pdf"
    result = cli("packet", *cli_args, "-o", str(out))
    assert result.code == 0, result.err
    assert f"Wrote {out}: {summary}\n" in result.out
    assert _bookmarks(made.content) == _bookmarks(out.read_bytes())
    assert _bookmarks(made.content)[0] == summary
    assert client.post("/api/handouts/plan", json=api).json()["summary"] == summary


def test_the_ready_page_ticks_and_fixes_what_the_request_brought(client: TestClient) -> None:
    page = client.post("/", data={**CODES_FORM, "sheets": ["questions", "liver"]}).text
    assert _summary_on(page) == "6 sheets: breast cancer (C50.911); spread to bone (C79.51); sheets added: liver"
    assert 'value="bone" checked disabled' in page  # brought by the code C79.51: ticked, and not to be unticked
    assert 'value="questions" checked disabled' in page
    assert re.search(r'value="liver" checked(?! disabled)', page)  # ticked by the nurse: free to untick
    assert "C79.51 (Secondary malignant neoplasm of bone): spread to the bone" in page
    assert NAME in dict(_download_form(page)).values()  # posted again for the PDF, never kept by the server


def test_a_type_the_codes_contradict_is_the_same_refusal_everywhere_at_its_field(client: TestClient) -> None:
    from helpers.cli import cli

    words = "the codes say breast cancer, but the cancer type given is lung cancer. Leave one of them out"
    page = client.post("/", data={**CODES_FORM, "cancer_type": "lung", "sheets": DEFAULT_TICKS})
    assert page.status_code == 400
    assert words in page.text
    assert re.search(r'<select id="cancer_type"[^>]* aria-invalid="true"', page.text)
    assert page.text.count(words) == 2  # at the top, and beside the field it is about
    assert 'class="ready"' not in page.text  # nothing to print
    api = client.post("/api/handouts", json={"codes": ["C50.911", "C79.51"], "cancer_type": "lung"})
    assert (api.status_code, api.json()["field"]) == (400, "cancer_type")
    assert words in api.json()["error"]
    result = cli("packet", "--type", "lung", "--icd10", "C50.911,C79.51", "-o", "/nonexistent/x.pdf")
    assert "error: --type: the codes say breast cancer, but the cancer type given is lung cancer" in result.err


def test_a_link_to_one_handout_is_that_sheet_alone(client: TestClient) -> None:
    """GET /handout.pdf names a type for its variant: the sheet as published, no packet chosen around it."""
    response = client.get("/handout.pdf?sheet=where-it-spreads&cancer_type=breast")
    assert response.status_code == 200
    assert len(reader(response.content).pages) == 1
    assert "For people with breast cancer" in text_of(response.content)
    unknown = client.get("/handout.pdf?sheet=nope")
    assert (unknown.status_code, unknown.json()["field"]) == (400, "sheet")
