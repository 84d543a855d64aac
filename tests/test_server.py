"""A real `factsheets serve`, attacked as a busy nurse and an attacker would, on loopback only.

One server for the module; its whole log is read at the end. Everything here is bounded: raw
sockets have timeouts, loops have counts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from helpers import run_cli, scratch_copy, start_server, text_of

from factsheets.guard import BODY_SECONDS
from factsheets.server import HEADER_SECONDS, MAX_CONNECTIONS, check_bind

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


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    root: Path
    before: dict[str, float] = field(default_factory=dict)
    log: str = ""


def _tree(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = scratch_copy(tmp_path_factory.mktemp("served"))
    before = _tree(root)
    url, process = start_server(root)
    running = Server(url, process, root, before)
    yield running
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    running.log, _ = process.communicate(timeout=30)


@pytest.mark.parametrize("script", PRINTABLE)
def test_a_name_in_any_script_prints(server: Server, script: str) -> None:
    name = PRINTABLE[script]
    api = httpx.post(
        server.url + "/api/handouts",
        timeout=60,
        json={"sheets": ["bone"], "patient": name, "care_team": f"{name}, 555-0100", "date": name[:10]},
    )
    form = httpx.post(server.url + "/", data={"sheets": ["questions"], "patient": name}, timeout=60)
    assert api.status_code == 200, api.text[:300]
    assert form.status_code == 200, form.text[:300]
    if script not in ("arabic", "thai", "devanagari"):  # shaped scripts extract in glyph order, not typed order
        assert name in text_of(api.content)
        assert name in text_of(form.content)


@pytest.mark.parametrize("case", REFUSED)
def test_a_name_that_cannot_print_is_refused_at_its_field(server: Server, case: str) -> None:
    for fieldname in ("patient", "date", "care_team"):
        response = httpx.post(
            server.url + "/api/handouts", json={"sheets": ["bone"], fieldname: REFUSED[case]}, timeout=60
        )
        assert response.status_code == 400, response.text
        assert response.json()["field"] == fieldname, response.text


def _raw(server: Server, timeout: float = 5) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


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
    assert time.monotonic() - started < BODY_SECONDS + 5
    headers.close()
    body.close()


def test_connections_beyond_the_bound_are_turned_away(server: Server) -> None:
    held = [_raw(server) for _ in range(MAX_CONNECTIONS)]
    try:
        extra = _raw(server)
        assert extra.recv(4096).startswith(b"HTTP/1.1 503")
        extra.close()
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)
    assert httpx.get(server.url + "/", timeout=10).status_code == 200  # and it serves again once they go


def test_killing_a_worker_mid_request_loses_no_request(server: Server) -> None:
    workers = _children(server.process.pid)
    assert workers, "the server keeps warm render workers"
    results: list[int] = []

    def post() -> None:
        response = httpx.post(server.url + "/api/handouts", json={"sheets": ["bone", "brain", "liver"]}, timeout=120)
        results.append(response.status_code)

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


def test_the_log_has_one_line_per_request_and_no_personal_detail(server: Server) -> None:
    """Last in the module: stops the server and reads everything it ever wrote."""
    workers = _children(server.process.pid)
    server.process.send_signal(signal.SIGINT)
    server.log, _ = server.process.communicate(timeout=30)
    assert "POST /api/handouts 200" in server.log
    assert "POST / 200" in server.log
    assert "POST /api/handouts 413" in server.log
    assert "Step " not in server.log
    assert ".notdef" not in server.log  # nothing from the renderer
    for name in [*PRINTABLE.values(), *REFUSED.values()]:
        for char in {c for c in name if ord(c) > 127}:
            assert char not in server.log, (name, char)
    assert "Quintessa" not in server.log
    assert "Marlowe" not in server.log
    assert _tree(server.root) == server.before  # nothing written in the project, out/ included
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # no worker outlives the server


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
