"""A real dropped connection: a TCP relay on 127.0.0.1 in front of a server, that cuts the line in the middle
of the server's answer once it carries a given marker (the bytes of one message being downloaded)."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Iterator


class CuttingRelay:
    """Relays to ``127.0.0.1:target``; the first time the server's bytes contain ``marker``, passes what came
    before it and closes both sides (``cut`` is set). Later connections are relayed whole."""

    def __init__(self, target: int, marker: bytes):
        self.target = target
        self.marker = marker
        self.cut = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []

    def start(self) -> "CuttingRelay":
        self._spawn(self._accept)
        return self

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, server]
            self._spawn(self._pipe, client, server, False)
            self._spawn(self._pipe, server, client, True)

    def _pipe(self, src: socket.socket, dst: socket.socket, watch: bool) -> None:
        tail = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if watch and not self.cut.is_set():
                    window = tail + data
                    at = window.find(self.marker)
                    if at >= 0:  # pass what came before the marker, then drop the line
                        dst.sendall(data[: max(at - len(tail), 0)])
                        self.cut.set()
                        break
                    tail = window[-len(self.marker) :]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def stop(self) -> None:
        self.listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()


@contextlib.contextmanager
def cutting_relay(target: int, marker: bytes) -> Iterator[CuttingRelay]:
    relay = CuttingRelay(target, marker).start()
    try:
        yield relay
    finally:
        relay.stop()
