"""A fake ESC/POS network printer (port 9100 protocol) for the printer-fault tests.

It answers the real-time status requests ``DLE EOT 1`` and ``DLE EOT 4`` the way a printer in the
chosen ``mode`` would, and keeps every byte it receives, so a test can see what reached "paper":

* ``ok``: online, paper present;
* ``paper-out``: the paper sensor reports the roll's end (and the printer is offline because of it);
* ``offline``: the printer reports itself offline (cover open), paper present;
* ``garbage``: answers anything with bytes that are no status (a web server, a wrong device on the port);
* ``silent``: accepts the connection and never answers.

A refusing printer needs no server: :func:`closed_port` gives a port nobody listens on.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time

OK, OFFLINE_BIT, PAPER_END = 0x12, 0x08, 0x60


def closed_port() -> int:
    """A local TCP port with no listener (connecting to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakePrinter:
    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.received = bytearray()
        self.lock = threading.Lock()
        self.open_connections = 0
        printer = self

        class Handler(socketserver.BaseRequestHandler):
            def setup(self) -> None:
                with printer.lock:
                    printer.open_connections += 1

            def finish(self) -> None:
                with printer.lock:
                    printer.open_connections -= 1

            def handle(self) -> None:
                pending = b""
                self.request.settimeout(10)
                while True:
                    try:
                        chunk = self.request.recv(4096)
                    except OSError:
                        return
                    if not chunk:
                        return
                    with printer.lock:
                        printer.received += chunk
                    pending += chunk
                    while b"\x10\x04" in pending:
                        at = pending.index(b"\x10\x04")
                        if len(pending) < at + 3:
                            break
                        kind, pending = pending[at + 2], pending[at + 3:]
                        answer = printer.answer(kind)
                        if answer:
                            self.request.sendall(answer)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-printer", daemon=True)

    def answer(self, kind: int) -> bytes:
        if self.mode == "silent":
            return b""
        if self.mode == "garbage":
            return b"HTTP/1.1 400 Bad Request\r\n\r\n"
        if kind == 1:
            return bytes([OK | OFFLINE_BIT]) if self.mode in ("offline", "paper-out") else bytes([OK])
        if kind == 4:
            return bytes([OK | PAPER_END]) if self.mode == "paper-out" else bytes([OK])
        return bytes([OK])

    def printed(self) -> bytes:
        """What arrived after the status requests (the slip's bytes start with ESC @).

        Waits (up to 5 s) until every client has hung up, so all it sent has been read.
        """
        deadline = time.monotonic() + 5
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        with self.lock:
            data = bytes(self.received)
        at = data.find(b"\x1b\x40")
        return data[at:] if at >= 0 else b""

    def __enter__(self) -> FakePrinter:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
