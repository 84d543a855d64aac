"""Abuse figures, run on demand: `.venv/bin/python bench/bench_abuse.py`. Loopback only, bounded.

Starts a real `factsheets serve` and reports, as a user of `ps` would see them:
- peak server memory (VmHWM of the server process) before and after four clients each try to
  send a 512 MB chunked body at once, and how much of it each got to send;
- how many of 3,000 idle connections are still open after the header deadline has passed.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
from serving import running_server

CHUNK = b"%x\r\n%s\r\n" % (65536, b" " * 65536)


def peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024


def chunked_attack(port: int, sent: list[int]) -> None:
    """Send up to 512 MB as a chunked body; stop when the server closes the connection."""
    total = 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /api/handouts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            for _ in range(8192):
                sock.sendall(CHUNK)
                total += 65536
    except OSError:
        pass
    sent.append(total)


def idle_connections(port: int, count: int, wait: float) -> int:
    """Open `count` connections that send half a request line, wait, and count those still open."""
    socks = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127")
            socks.append(sock)
        except OSError:
            break
    time.sleep(wait)
    still_open = sum(1 for sock in socks if _open(sock))
    for sock in socks:
        sock.close()
    return still_open


def _open(sock: socket.socket) -> bool:
    """True if the server has not closed it (an answer followed by a close counts as closed)."""
    sock.settimeout(0.01)
    try:
        while sock.recv(4096):
            pass
        return False
    except TimeoutError:
        return True
    except OSError:
        return False


def main() -> None:
    from factsheets.web.server import HEADER_SECONDS

    with running_server() as (port, server):
        before = peak_mb(server.pid)
        sent: list[int] = []
        started = time.perf_counter()
        threads = [threading.Thread(target=chunked_attack, args=(port, sent)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(
            f"chunked bodies: 4 clients each tried 512 MB; sent before cut off: "
            f"{', '.join(f'{n / 1024:.0f} KB' for n in sent)} in {time.perf_counter() - started:.2f} s"
        )
        print(f"server peak memory: {before:.0f} MB before, {peak_mb(server.pid):.0f} MB after")
        held = idle_connections(port, 3000, HEADER_SECONDS + 2)
        print(f"idle connections still open {HEADER_SECONDS + 2:g} s after opening 3,000: {held}")
        print(f"server answers afterwards: {httpx.get(f'http://127.0.0.1:{port}/', timeout=10).status_code}")


if __name__ == "__main__":
    main()
