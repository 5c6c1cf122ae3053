"""Raw sockets against a live server: requests that stop halfway, as an attacker sends them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

BOUNDARY = "hardeningboundary"


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")  # pragma: no cover - Linux always has it


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def files_being_written(pid: int, directory: Path) -> int:
    """Open files of ``pid`` in ``directory`` that hold data (anonymous ones too)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
            size = fd.stat().st_size
        except OSError:  # pragma: no cover - closed while we looked
            continue
        if target.startswith(str(directory)) and size > 0:
            count += 1
    return count


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def upload_head(port: int, declared: int, authorization: str | None = None) -> bytes:
    """Request line and headers of an upload declaring ``declared`` body bytes."""
    lines = [
        "POST /legacy/ HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {declared}",
    ]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def text_part_start(name: str = "description") -> bytes:
    """The start of a text field: what the server must buffer if it parses it."""
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n').encode()


def file_part_start() -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name=":action"\r\n\r\n'
        f"file_upload\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="content"; filename="demo-1.0.tar.gz"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def wait_closed(sock: socket.socket, timeout: float) -> tuple[bytes, float | None]:
    """Everything the server sends until it closes, and when it closed (None: it did not)."""
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        return received, None
    return received, time.monotonic()


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
