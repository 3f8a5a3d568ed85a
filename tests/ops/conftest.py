"""Shared helpers of the deployment and operations tests: a listening sd_notify socket."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest


class NotifySocket:
    """What systemd does for a Type=notify service: a datagram socket the service writes to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))

    def messages(self, timeout: float) -> list[str]:
        """Every message that arrives within the next ``timeout`` seconds."""
        import time

        out = []
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                out.append(self.sock.recv(4096).decode())
            except TimeoutError:
                break
        return out

    def wait_for(self, field: str, timeout: float) -> list[str]:
        """Messages up to and including the first one containing ``field`` (AssertionError if none)."""
        import time

        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                msg = self.sock.recv(4096).decode()
            except TimeoutError:
                break
            seen.append(msg)
            if field in msg.split("\n"):
                return seen
        raise AssertionError(f"{field} did not arrive within {timeout} s (got {seen})")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket():
    # AF_UNIX paths are limited to 108 bytes: pytest's tmp_path can be longer.
    folder = Path(tempfile.mkdtemp(prefix="kn-"))
    sock = NotifySocket(folder / "notify")
    yield sock
    sock.close()
    (folder / "notify").unlink(missing_ok=True)
    folder.rmdir()
