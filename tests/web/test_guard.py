"""The request guard, in process: hosts and origins, body limits, headers, and crashes logged by type only."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from helpers.project import ROOT

from factsheets.project import Project
from factsheets.web.app import create_app
from factsheets.web.guard import MAX_BODY_BYTES, RETRY_AFTER_SECONDS, STOPPING, RequestGuard


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Project(ROOT), workers_count=1, warm=False), base_url="http://localhost") as test_client:
        yield test_client


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/form.js"), client.post("/api/handouts", json={"sheets": []})):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
    page = client.get("/").text
    assert "<style>" not in page
    assert "<script>" not in page  # the policy allows no inline code, and there is none


def test_an_unknown_host_name_is_refused(client: TestClient) -> None:
    response = client.get("/", headers={"host": "attacker.example"})  # DNS rebinding: a name pointed at us
    assert response.status_code == 400
    assert "not known by that name" in response.json()["error"]
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"origin": "https://attacker.example"}, 403),
        ({"origin": "null"}, 403),
        ({"origin": "null", "sec-fetch-site": "same-origin"}, 400),  # the browser vouches for it
        ({"sec-fetch-site": "cross-site"}, 403),
        ({"sec-fetch-site": "same-site"}, 403),  # another port or subdomain is another site's page
        ({"origin": "http://localhost"}, 400),  # this server: reaches the app, which refuses the unknown sheet
        ({"origin": "http://localhost:9999"}, 403),  # another port on this machine is another site
        ({"origin": "http://localhost:80"}, 400),  # the scheme's own port, written out
        ({"origin": "https://localhost"}, 403),  # an https page's post to this plain-http server: another site
        ({"origin": "https://localhost:80"}, 403),  # the same port, another scheme
        ({"origin": "http://localhost:443"}, 403),
        ({"origin": "http://user@localhost"}, 403),  # no origin carries a user
        ({"origin": "https://attacker.example", "sec-fetch-site": "same-origin"}, 403),
        ({"origin": "http://localhost", "sec-fetch-site": "cross-site"}, 403),
        ({"origin": "http://[::1"}, 403),  # unparseable: not trusted, not a crash
        ({}, 400),  # no Origin: a script or an EHR, not a browser page
    ],
)
def test_posts_from_another_site_are_refused(client: TestClient, headers: dict, status: int) -> None:
    for path, body in (("/api/handouts", {"json": {"sheets": ["nope"]}}), ("/", {"data": {"sheets": ["nope"]}})):
        response = client.post(path, headers=headers, **body)
        assert response.status_code == status, (path, response.text)


@pytest.mark.parametrize(
    "host", ["attacker.example", "127.0.0.1:80@evil.com", "[127.0.0.1]evil.com", "[localhost].evil.com:80", ""]
)
def test_host_names_are_matched_strictly(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 400


def test_smuggling_shapes_and_huge_headers_are_refused_and_the_connection_closed(client: TestClient) -> None:
    both = client.post(
        "/api/handouts", content=b"0\r\n\r\n", headers={"transfer-encoding": "chunked", "content-length": "5"}
    )
    assert both.status_code == 400
    assert both.headers["connection"] == "close"
    big = client.get("/", headers={f"x-filler-{n}": "y" * 1000 for n in range(20)})
    assert big.status_code == 431


def test_only_known_paths_are_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        client.get("/x%0A2026-11-22 04:00:00,000 POST /api/handouts 200 1ms")  # a forged line, a name in a URL
        client.get("/Ann%20L%C3%A9e")
        client.get("/form.css")
        client.request("ANNLEE", "/form.css")  # any token is a method to h11: a name can travel there too
    ours = [r.getMessage() for r in caplog.records if r.name == "factsheets.web"]
    assert [line.rsplit(" ", 2)[0] for line in ours] == [
        "GET (other path) 404",
        "GET (other path) 404",
        "GET /form.css 200",
        "OTHER /form.css 405",
    ]
    assert all(re.fullmatch(r"[A-Z]+ (/\S*|\(other path\)) \d{3} \d+ms sheets=0", line) for line in ours), ours
    assert "04:00:00" not in "\n".join(ours)
    assert "Ann" not in "\n".join(ours)


def test_the_health_check_answers_any_host_name_and_nothing_else_does(client: TestClient) -> None:
    """A balancer may check an instance by its address; nothing else is answered to a name not ours."""
    for host in ("10.0.3.7:8000", "ip-10-0-3-7.internal", ""):
        assert client.get("/healthz", headers={"host": host}).status_code in (200, 503)
        assert client.get("/metrics", headers={"host": host}).status_code == 400
        assert client.get("/", headers={"host": host}).status_code == 400
        assert client.post("/healthz", headers={"host": host}).status_code == 400


def test_api_errors_all_have_the_same_shape(client: TestClient) -> None:
    for response in (
        client.put("/api/handouts"),
        client.get("/nope"),
        client.post("/api/handouts", content=b'{"sheets": ["\xff"]}', headers={"content-type": "application/json"}),
        client.post(
            "/api/handouts",
            content=b'{"sheets": ["\\ud800"]}',  # a lone surrogate, escaped
            headers={"content-type": "application/json"},
        ),
    ):
        assert set(response.json()) == {"error", "field"}, response.text
        assert 400 <= response.status_code < 500, response.text


def test_the_form_reads_only_utf8_and_refuses_the_rest_in_plain_words(client: TestClient) -> None:
    raw = client.post(
        "/",
        content="sheets=bone&patient=José".encode("latin-1"),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert raw.status_code == 400
    assert "not sent as UTF-8" in raw.text
    multipart = client.post("/", files={"patient": ("x.txt", b"Ann")}, data={"sheets": "bone"})
    assert multipart.status_code == 400
    assert "not sent by this page" in multipart.text


def test_a_chunked_body_is_counted_as_it_arrives(client: TestClient) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count bytes as they arrive
        nonlocal sent
        for _ in range(4096):
            sent += 1024
            yield b" " * 1024

    response = client.post("/api/handouts", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "at most 16 KB" in response.json()["error"]
    assert response.headers["connection"] == "close"
    declared = client.post(
        "/api/handouts", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413


def test_a_crash_is_logged_by_its_type_and_answered_plainly(caplog: pytest.LogCaptureFixture) -> None:
    async def broken_app(scope, receive, send) -> None:  # noqa: ARG001  an ASGI app's signature
        await receive()
        raise ValueError("Quintessa Marlowe")  # a bug whose message carries what was typed

    client = TestClient(
        RequestGuard(broken_app, ["testserver"], known_paths={"/api/handouts"})
    )  # not entered: no lifespan to run
    with caplog.at_level(logging.INFO):
        response = client.post("/api/handouts", json={"patient": "Quintessa Marlowe"})
    assert response.status_code == 500
    assert "Quintessa" not in response.text
    assert "POST /api/handouts crashed (ValueError)" in caplog.text
    assert "Quintessa" not in caplog.text


def test_the_form_is_served_with_its_own_script_and_style(client: TestClient) -> None:
    assert "/api/handouts/plan" in client.get("/form.js").text  # it previews by asking the server
    assert client.get("/form.js").headers["content-type"].startswith("text/javascript")
    assert '<script src="/form.js"></script>' in client.get("/").text


def test_behind_a_proxy_the_origin_is_the_public_https_one() -> None:
    """The scheme is the request's as the server saw it: https when a trusted proxy said so (uvicorn sets it)."""

    async def app(scope, receive, send) -> None:  # noqa: ARG001  an ASGI app's signature
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(RequestGuard(app, ["handouts.example"]), base_url="https://handouts.example")
    assert client.post("/", headers={"origin": "https://handouts.example"}).status_code == 204
    assert client.post("/", headers={"origin": "https://handouts.example:443"}).status_code == 204
    assert client.post("/", headers={"origin": "http://handouts.example"}).status_code == 403


def test_a_request_that_arrives_while_the_server_stops_is_answered_503_with_retry_after() -> None:
    called = []

    async def app(scope, receive, send) -> None:  # noqa: ARG001  an ASGI app's signature
        called.append(scope["path"])

    client = TestClient(RequestGuard(app, ["testserver"]))
    client.app_state[STOPPING] = True  # what the server sets in the lifespan state once it stops
    response = client.post("/api/handouts", json={"sheets": ["bone"]})
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["connection"] == "close"
    assert "try again in a few seconds" in response.json()["error"]
    assert called == []  # the app never sees it


def test_head_is_answered_as_get_without_the_body(client: TestClient) -> None:
    for path in ("/", "/form.css", "/form.js"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == str(len(got.content))
        assert head.headers["x-frame-options"] == "DENY"
        assert head.content == b""
