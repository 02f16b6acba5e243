"""One window per library: a second start with documents hands them to the running window.

The running window listens on a local socket named after the library file (and the user), so
two libraries can each have their window. A start with documents first asks that socket to
open them; if the window answers, the new process ends there. A local socket, not a lock file:
it vanishes with the process, so a killed app never blocks the next start.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from reader.paths import instance_name as server_name  # noqa: F401 - the name's one home

log = logging.getLogger(__name__)

MAX_MESSAGE = 1 << 20  # bytes: thousands of paths; anything longer is not ours
MAX_TARGETS = 1000


def hand_over(name: str, targets: Sequence[str], *, timeout_ms: int = 5000) -> bool:
    """Ask the window listening on `name` to open `targets`; True once it said it will.

    False when no window listens (the common case: answered at once, no waiting) or it did
    not answer within `timeout_ms` (hung): the caller then starts a window of its own."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        message = json.dumps({"open": list(targets)}).encode() + b"\n"
        socket.write(message)
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        reply = b""
        while not reply.endswith(b"\n"):
            if not socket.waitForReadyRead(timeout_ms):
                return False
            reply += bytes(socket.readAll().data())
        return reply.strip() == b"ok"
    finally:
        socket.abort()


class InstanceServer(QObject):
    """Listens for hand_over() calls; emits `open_requested(targets)` on the UI thread."""

    open_requested = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        # Only this user may ask the window to open files.
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; False (logged) when another live window already has the name."""
        # Asked first: with UserAccessOption Qt puts its socket in place by renaming, which
        # would silently take the name from a window that is running.
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(500):  # a live window: this one is a deliberate second one
            probe.abort()
            log.info("another window listens on %s; this one will not", self.name)
            return False
        if self._server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # a socket file left behind by a killed app
        if self._server.listen(self.name):
            return True
        log.warning("cannot listen on %s: %s", self.name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
                self._drop(socket)
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        targets = _targets(line)
        socket.write(b"ok\n" if targets is not None else b"bad\n")
        socket.flush()
        socket.disconnectFromServer()
        if targets is not None:
            self.open_requested.emit(targets)


def _targets(line: bytes) -> list[str] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None
    targets = message.get("open") if isinstance(message, dict) else None
    if not isinstance(targets, list) or len(targets) > MAX_TARGETS:
        return None
    if not all(isinstance(t, str) and 0 < len(t) < 10000 for t in targets):
        return None
    return targets
