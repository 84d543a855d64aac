"""A real `factsheets serve`, attacked as a busy nurse and an attacker would, on loopback only.

One server for the module; every request made to it is noted, and its whole log is read at the
end against those notes. Everything here is bounded: raw sockets have timeouts, loops have counts.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers.cli import CLI_COMMAND, run_cli
from helpers.pdfs import text_of
from helpers.project import scratch_copy
from helpers.server import free_port, start_server

from factsheets.web.guard import BODY_SECONDS
from factsheets.web.server import (
    HEADER_SECONDS,
    MAX_CLIENT_CONNECTIONS,
    MAX_CONNECTIONS,
    MAX_PROXY_CONNECTIONS,
    MAX_WORKERS,
    check_bind,
    check_options,
)

# A name in each script a US clinic meets, in every personal field; none may reach the log.
PRINTABLE = {
    "korean": "김민준",
    "thai": "สมชาย ใจดี",
    "devanagari": "राहुल शर्मा",
    "arabic": "محمد العلي",
    "hebrew": "דוד כהן",
    "vietnamese": "Nguyễn Văn Hưng",
    "chinese": "王小明",
    "japanese": "山田太郎",
    "latin": "Quintessa Marlowe",
}
REFUSED = {"no font": "Ann \U0001fae0 Lee", "bidi override": "Dr \u202eQuintessa", "control": "Ann\u0007Lee"}


# One request's log line: time, method, route, status, milliseconds, sheets rendered; nothing else.
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ([A-Z]+) (/\S*|\(other path\)) (\d{3}) \d+ms sheets=(\d+)")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    root: Path
    before: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # everything it printed, as it printed it
    sent: list[tuple[str, str, int, int]] = field(default_factory=list)  # method, path, status, sheets rendered
    first_health: tuple[int, Any] = (0, None)  # /healthz asked the moment it said it was ready
    told_systemd: bytes = b""

    def request(self, method: str, path: str, sheets: int = 0, **kwargs: Any) -> httpx.Response:
        """A request, noted with the sheets it renders if it succeeds (the log line must say so)."""
        response = httpx.request(method, self.url + path, timeout=120, **kwargs)
        self.noted(method, path, response.status_code, sheets if response.status_code == 200 else 0)
        return response

    def noted(self, method: str, path: str, status: int, sheets: int = 0) -> None:
        self.sent.append((method, path, status, sheets))

    def stop(self) -> str:
        """Ctrl-C, then everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        return "".join(self.lines)


def _tree(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@contextlib.contextmanager
def _cores_allowed() -> Iterator[None]:
    """Processes started meanwhile may dump core, as after `ulimit -c unlimited` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`factsheets serve` on a free port, as systemd runs it; /healthz is asked the moment it says it is ready.

    Started allowed to dump core, so that only the server's own setting keeps a crash's core file away.
    """
    root = scratch_copy(tmp_path_factory.mktemp("served"))
    before, port = _tree(root), free_port()
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # where a Type=notify service says READY=1
    systemd.bind(str(tmp_path_factory.mktemp("systemd") / "notify"))
    with _cores_allowed():
        process = subprocess.Popen(
            [*CLI_COMMAND, "serve", "--port", str(port)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NOTIFY_SOCKET": systemd.getsockname()},
        )
    running, ready = Server(f"http://127.0.0.1:{port}", process, root, before), threading.Event()
    reader = threading.Thread(target=_read, args=(process, running.lines, ready), daemon=True)
    reader.start()
    try:
        assert ready.wait(180), "".join(running.lines)
        health = httpx.get(running.url + "/healthz", timeout=10)
        running.noted("GET", "/healthz", health.status_code)
        running.first_health = (health.status_code, health.json())
        systemd.settimeout(10)
        running.told_systemd = systemd.recv(64)
        yield running
    finally:  # a setup that failed must not leave a server running
        systemd.close()
        running.stop()
        reader.join(timeout=10)


def _read(process: subprocess.Popen, lines: list[str], ready: threading.Event) -> None:
    """Keep what the server prints; `ready` is set at its "Open http://" line (or when it ends)."""
    for line in process.stdout or ():
        lines.append(line)
        if line.startswith("Open http://"):
            ready.set()
    ready.set()


def test_the_server_says_it_is_ready_only_once_every_worker_is_warm(server: Server) -> None:
    assert server.first_health == (200, {"status": "ok", "workers": 2, "ready": 2})
    assert server.told_systemd == b"READY=1"


@pytest.mark.parametrize("script", PRINTABLE)
def test_a_name_in_any_script_prints(server: Server, script: str) -> None:
    name = PRINTABLE[script]
    api = server.request(
        "POST",
        "/api/handouts",
        sheets=1,
        json={"sheets": ["bone"], "patient": name, "care_team": f"{name}, 555-0100", "date": "2026-11-22"},
    )
    form = server.request("POST", "/", sheets=1, data={"sheets": ["questions"], "patient": name, "make": "pdf"})
    assert api.status_code == 200, api.text[:300]
    assert form.status_code == 200, form.text[:300]
    if script not in ("arabic", "thai", "devanagari"):  # shaped scripts extract in glyph order, not typed order
        assert name in text_of(api.content)
        assert name in text_of(form.content)


@pytest.mark.parametrize("case", REFUSED)
def test_a_name_that_cannot_print_is_refused_at_its_field(server: Server, case: str) -> None:
    for fieldname in ("patient", "date", "care_team"):
        response = server.request("POST", "/api/handouts", json={"sheets": ["bone"], fieldname: REFUSED[case]})
        assert response.status_code == 400, response.text
        assert response.json()["field"] == fieldname, response.text


def _raw(server: Server, timeout: float = 5, source: str | None = None) -> socket.socket:
    """A connection to the server; from `source`, another loopback address (127.0.0.0/8), as another client."""
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout, source_address=(source, 0) if source else None)


def _peak_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])


def test_a_huge_chunked_body_is_cut_off_at_the_limit(server: Server) -> None:
    before = _peak_kb(server.process.pid)
    sock = _raw(server)
    sock.sendall(
        b"POST /api/handouts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk, sent = b"%x\r\n%s\r\n" % (65536, b" " * 65536), 0
    try:
        for _ in range(1024):  # up to 64 MB, if the server kept reading
            sock.sendall(chunk)
            sent += 65536
    except OSError:
        pass  # the server answered and closed: what we were still sending was never read
    answer = b""
    try:
        while chunk_in := sock.recv(4096):
            answer += chunk_in
    except OSError:
        pass
    sock.close()
    server.noted("POST", "/api/handouts", 413)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 32 * 1024 * 1024  # cut off long before the whole body was sent
    assert _peak_kb(server.process.pid) - before < 20_000  # and none of it was kept


def test_slow_clients_are_timed_out(server: Server) -> None:
    headers = _raw(server, timeout=HEADER_SECONDS + 10)
    headers.sendall(b"POST /api/handouts HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then nothing more
    body = _raw(server, timeout=BODY_SECONDS + 10)
    body.sendall(
        b"POST /api/handouts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )  # 1 byte of a promised 100
    started = time.monotonic()
    assert headers.recv(4096) == b""  # closed, no answer: the request never began
    assert time.monotonic() - started < HEADER_SECONDS + 5
    assert body.recv(4096).startswith(b"HTTP/1.1 408")
    server.noted("POST", "/api/handouts", 408)  # the other never made a request: no line
    assert time.monotonic() - started < BODY_SECONDS + 5
    headers.close()
    body.close()


def test_connections_beyond_the_bound_are_turned_away(server: Server) -> None:
    before = _metrics(server)
    clients = [f"127.0.0.{10 + n}" for n in range(MAX_CONNECTIONS // MAX_CLIENT_CONNECTIONS)]  # each within its cap
    held = [_raw(server, source=client) for client in clients for _ in range(MAX_CLIENT_CONNECTIONS)]
    try:
        extra = _raw(server, source="127.0.0.20")
        assert extra.recv(4096).startswith(b"HTTP/1.1 503")
        extra.close()
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)
    assert server.request("GET", "/").status_code == 200  # and it serves again once they go
    assert _grew(before, _metrics(server), "factsheets_busy_total", reason="connections") >= 1  # and counted them


@pytest.mark.parametrize(
    ("source", "cap"),
    [("127.0.0.3", MAX_CLIENT_CONNECTIONS), ("127.0.0.1", MAX_PROXY_CONNECTIONS)],
    ids=["a client", "a trusted proxy"],
)
def test_one_client_cannot_shut_the_others_out(server: Server, source: str, cap: int) -> None:
    """65 idle connections from one address: it keeps its cap, the rest are turned away, and others are served.

    127.0.0.1 is a trusted proxy by default (nginx on this machine), which speaks for many clients: a larger cap.
    """
    before = _metrics(server)
    held = [_raw(server, source=source) for _ in range(MAX_CONNECTIONS + 1)]
    try:
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=10) as other:
            answers = [other.get(server.url + "/", headers={"Connection": "close"}).status_code for _ in range(26)]
        for status in answers:
            server.noted("GET", "/", status)
        turned_away = [sock.recv(64) for sock in _readable(held, len(held) - cap)]
    finally:
        for sock in held:
            sock.close()
    assert answers == [200] * 26  # each on a new connection
    assert len(turned_away) == len(held) - cap
    assert all(answer.startswith(b"HTTP/1.1 503") for answer in turned_away)
    time.sleep(0.3)  # the held connections are gone before the next test
    assert _grew(before, _metrics(server), "factsheets_busy_total", reason="client") == len(held) - cap


def _readable(socks: list[socket.socket], expected: int, seconds: float = 2) -> list[socket.socket]:
    """The connections the server answered (or closed), once `expected` of them are, or `seconds` have passed."""
    deadline, readable = time.monotonic() + seconds, []
    while len(readable) < expected and time.monotonic() < deadline:
        readable = select.select(socks, [], [], 0.05)[0]
    return readable


def test_an_https_page_on_the_same_port_is_another_site(server: Server) -> None:
    """An origin is scheme, host and port: an https:// page's post to this plain-http server is refused."""
    for scheme, status in (("https", 403), ("http", 400)):  # 400: ours, and reaches the app, which wants a sheet
        origin = {"Origin": f"{scheme}://{server.url.removeprefix('http://')}"}
        assert server.request("POST", "/api/handouts", json={"sheets": ["nope"]}, headers=origin).status_code == status


def test_head_is_answered_as_get_without_the_body(server: Server) -> None:
    sock = _raw(server)
    sock.sendall(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    sock.sendall(b"GET /form.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    server.noted("HEAD", "/", 200)
    server.noted("GET", "/form.css", 200)
    head, after = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"content-type: text/html" in head
    assert int(re.search(rb"content-length: (\d+)", head)[1]) > 1000  # GET's length
    assert after.startswith(b"HTTP/1.1 200")  # no body: the next answer follows the head at once


def test_a_worker_killed_by_sigsegv_leaves_no_core_file(server: Server, tmp_path: Path) -> None:
    """A native library's crash must not write a worker's memory, a patient's name in it, to disk.

    The server was started allowed to dump core; on this machine a plain process then leaves a core file
    where it ran (core_pattern a plain name). The server and its workers turn that off for themselves.
    """
    workers = _children(server.process.pid)
    for pid in [server.process.pid, *workers]:
        assert _core_limit(pid) == ["0", "0"]  # soft and hard: no child of theirs can raise it
    name = PRINTABLE["latin"]
    assert server.request("POST", "/api/handouts", 1, json={"sheets": ["bone"], "patient": name}).is_success
    os.kill(workers[0], signal.SIGSEGV)
    assert _wait_until(lambda: _dead(workers[0]), 10)
    assert server.request("POST", "/api/handouts", 1, json={"sheets": ["bone"], "patient": name}).is_success
    assert [_core_limit(pid) for pid in _children(server.process.pid)] == [["0", "0"]] * 2  # the new pool's too
    if _cores_written_where_they_crash(tmp_path):  # the check below means something here
        assert _cores_in(server.root) == []


def _core_limit(pid: int) -> list[str]:
    """Soft and hard RLIMIT_CORE of a process, as /proc/<pid>/limits says them."""
    line = next(x for x in Path(f"/proc/{pid}/limits").read_text().splitlines() if x.startswith("Max core file size"))
    return line.split()[4:6]


def _dead(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _wait_until(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _cores_in(folder: Path) -> list[Path]:
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    return [p for p in folder.iterdir() if p.name == pattern or p.name.startswith(pattern + ".")]


def _cores_written_where_they_crash(folder: Path) -> bool:
    """Whether a plain process that crashes in `folder`, allowed to dump core, leaves a core file there."""
    with _cores_allowed():
        crash = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
        subprocess.run([sys.executable, "-c", crash], cwd=folder, check=False, timeout=60)
    written = _cores_in(folder)
    for core in written:
        core.unlink()
    return bool(written)


def test_killing_a_worker_mid_request_loses_no_request(server: Server) -> None:
    workers = _children(server.process.pid)
    assert workers, "the server keeps warm render workers"
    results: list[int] = []

    def post() -> None:
        response = server.request("POST", "/api/handouts", sheets=3, json={"sheets": ["bone", "brain", "liver"]})
        results.append(response.status_code)

    before = _metrics(server)
    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    os.kill(workers[0], signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=120)
    assert results == [200] * 4
    time.sleep(0.5)
    assert not any(
        Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text() for pid in workers
    )  # the broken pool's survivor was stopped
    assert _grew(before, _metrics(server), "factsheets_worker_pool_restarts_total") == 1


def test_links_carry_the_scheme_a_proxy_on_this_machine_says(server: Server) -> None:
    """Behind nginx on the same machine, a FHIR record's URL is the public https:// address."""
    body = {"sheets": ["bone"]}  # one sheet: a type would bring its whole packet
    proxied = server.request("POST", "/api/handouts/records", 1, json=body, headers={"X-Forwarded-Proto": "https"})
    direct = server.request("POST", "/api/handouts/records", 1, json=body)
    for response, scheme in ((proxied, "https"), (direct, "http")):
        urls = [e["resource"]["content"][0]["attachment"]["url"] for e in response.json()["entry"]]
        assert urls
        assert all(u.startswith(f"{scheme}://127.0.0.1:{server.url.rsplit(':', 1)[1]}/handout.pdf?") for u in urls)


def test_health_and_metrics_answer_and_carry_nothing_personal(server: Server) -> None:
    by_address = server.request("GET", "/healthz", headers={"Host": "10.20.30.40:8000"})  # as a balancer asks
    assert by_address.status_code in (200, 503)  # 503 while a replaced pool warms up
    assert server.request("GET", "/metrics", headers={"Host": "10.20.30.40:8000"}).status_code == 400
    before = _metrics(server)
    name = PRINTABLE["latin"]
    assert server.request("POST", "/api/handouts", 2, json={"sheets": ["bone", "liver"], "patient": name}).is_success
    page = server.request("GET", "/metrics")
    after = _samples(page.text)
    assert _grew(before, after, "factsheets_requests_total", method="POST", route="/api/handouts", status="200") == 1
    assert _grew(before, after, "factsheets_sheets_rendered_total") == 2
    assert _grew(before, after, "factsheets_render_seconds_count") == 1
    assert after[("factsheets_workers", ())] == 2
    for word in name.split():
        assert word not in page.text


def _metrics(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    page = server.request("GET", "/metrics")
    assert page.status_code == 200
    return _samples(page.text)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, read by prometheus_client's own parser: {(name, sorted labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _grew(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after[key] - before.get(key, 0.0)


def test_the_log_has_one_line_per_request_and_no_personal_detail(server: Server) -> None:
    """Last in the module: stops the server and reads everything it ever wrote."""
    workers = _children(server.process.pid)
    log = server.stop()
    first, *lines = log.splitlines()
    assert first.startswith("Open http://127.0.0.1:")
    matches = [LOG_LINE.fullmatch(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]  # nothing from the renderer
    logged = Counter((m[1], m[2], int(m[3]), int(m[4])) for m in matches if m)
    assert logged == Counter(server.sent)  # exactly one line per request, each with the sheets it rendered
    assert "Step " not in log
    assert ".notdef" not in log
    for name in [*PRINTABLE.values(), *REFUSED.values()]:
        for char in {c for c in name if ord(c) > 127}:
            assert char not in log, (name, char)
    assert "Quintessa" not in log
    assert "Marlowe" not in log
    assert _tree(server.root) == server.before  # nothing written in the project, out/ included
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # no worker outlives the server


def test_a_request_that_arrives_while_the_server_stops_is_answered_503(tmp_path: Path) -> None:
    """While a render in flight finishes, a request on an open connection or a new one gets 503 and Retry-After."""
    url, process = start_server(scratch_copy(tmp_path), "--workers", "1", output=subprocess.DEVNULL)
    [worker] = _children(process.pid)
    address = url.removeprefix("http://").split(":")
    kept = socket.create_connection((address[0], int(address[1])), timeout=10)
    results: list[int] = []
    post = threading.Thread(target=lambda: results.append(_post_one_sheet(url)))
    try:
        assert _ask(kept, "/").startswith(b"HTTP/1.1 200")  # a keep-alive connection, used once and left open
        os.kill(worker, signal.SIGSTOP)  # the render stays in flight until the test lets it go
        post.start()
        assert _wait_until(lambda: "factsheets_workers_busy 1.0" in httpx.get(url + "/metrics").text, 10)
        process.send_signal(signal.SIGINT)
        assert _wait_until(lambda: httpx.get(url + "/healthz").status_code == 503, 5)  # a new connection
        answer = _ask(kept, "/")
        assert answer.startswith(b"HTTP/1.1 503")
        assert b"retry-after: 5" in answer
        assert b"connection: close" in answer
        os.kill(worker, signal.SIGCONT)
        post.join(60)
        assert results == [200]  # the render in flight was finished
        assert process.wait(30) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGCONT)
        process.kill()
        process.wait(30)
        kept.close()


def _post_one_sheet(url: str) -> int:
    return httpx.post(url + "/api/handouts", json={"sheets": ["bone"]}, timeout=60).status_code


def _ask(sock: socket.socket, path: str) -> bytes:
    """GET `path` on an open connection; the answer's head and its Content-Length of body."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(m[1]) if (m := re.search(rb"content-length: (\d+)", head)) else 0
    while len(body) < length and (chunk := sock.recv(65536)):
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--port", "99999"], "--port 99999 is not a TCP port"),
        (["--trusted-proxy", "not-an-ip"], "--trusted-proxy not-an-ip is not an IP address or network"),
        (["--trusted-proxy", "10.0.1.5/24"], "write it as 10.0.1.0/24"),
        (["--workers", "10000"], f"--workers 10000 is out of range: serve keeps 1 to {MAX_WORKERS} render workers"),
    ],
)
def test_impossible_serve_options_are_refused_at_once(tmp_path: Path, option: list[str], words: str) -> None:
    # A real process, timed: `--port 99999` used to warm workers up for 15 s, then print three tracebacks.
    started = time.monotonic()
    result = run_cli("serve", *option, cwd=scratch_copy(tmp_path))
    assert result.code == 1
    assert words in result.err
    assert result.err.startswith("error: ")
    assert "Traceback" not in result.err
    assert time.monotonic() - started < 10


def test_good_serve_options_pass() -> None:
    check_options(1, 1, [])
    check_options(65535, MAX_WORKERS, ["10.0.1.5", "10.0.0.0/24", "::1", "fd00::/8"])


def test_listening_beyond_this_machine_needs_a_flag(tmp_path: Path) -> None:
    # A real process: were the refusal to regress, a server would start listening, and only a process can be timed out.
    refused = run_cli("serve", "--host", "0.0.0.0", cwd=tmp_path)
    assert refused.code == 1
    assert "--host 0.0.0.0 would let other computers reach the form" in refused.err
    assert "--allow-remote" in refused.err
    warning = check_bind("0.0.0.0", allow_remote=True)
    assert warning
    assert "other computers can reach this form" in warning
    assert check_bind("127.0.0.1", allow_remote=False) is None
    assert check_bind("localhost", False) is None


def test_workers_that_cannot_print_stop_the_server_with_a_plain_message(tmp_path: Path) -> None:
    # A real process: what a clinic's terminal (or journal) shows when its template is broken.
    root = scratch_copy(tmp_path)
    personal = root / "templates" / "parts" / "personal.html"
    personal.write_text(personal.read_text(encoding="utf-8") + "{{ undefined_thing.attr() }}\n", encoding="utf-8")
    result = run_cli("serve", "--port", str(free_port()), "--workers", "1", cwd=root)
    assert result.code == 1
    assert "a render worker could not start: a template uses a value that does not exist" in result.err
    assert "error: the render workers could not start" in result.err
    assert "Traceback" not in result.err
    assert "Open http://" not in result.out  # never said it was ready
