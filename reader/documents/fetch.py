"""Download a web address for "Open URL": http(s) only, bounded in time and size, stdlib only.

Every failure is a `DocumentError` whose message is one sentence naming the host and what
happened, fit for a dialog. The whole download (all redirects included) must finish within
`timeout` seconds: each connect and each read is bounded by it, and a watchdog cuts the
connection when the overall deadline passes or `cancel` is set, so a server that trickles bytes
forever, or sends its headers a byte at a time, cannot hold the app.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

from reader.documents.base import Cancelled, DocumentError
from reader.documents.urls import looks_like_url, normalize_url
from reader.text_shortening import shorten

__all__ = ["Fetched", "fetch_url", "looks_like_url", "normalize_url"]

USER_AGENT = "ClaimReader/0.1"
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/*;q=0.8,*/*;q=0.5"
CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# What may stay unescaped in a path or query; everything else (spaces, non-ASCII) is %-encoded.
_SAFE = "/%:@!$&'()*+,;=-._~?"


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL, after redirects
    content_type: str  # mime type, lowercased, without parameters; "" if the server sent none
    charset: str | None  # from the Content-Type header, lowercased
    data: bytes  # the body, content-encoding (gzip/deflate) already undone


def fetch_url(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = 25 * 1024 * 1024,
    max_redirects: int = 5,
    cancel: threading.Event | None = None,
) -> Fetched:
    """GET `url`, following at most `max_redirects` redirects to other http(s) addresses."""
    deadline = time.monotonic() + timeout
    original = normalize_url(url)
    parts = _check(original, original)
    redirects = 0
    while True:
        _check_cancel(cancel)
        hop = _Hop(parts, timeout=timeout, deadline=deadline, max_bytes=max_bytes, cancel=cancel)
        result = hop.run()
        if isinstance(result, Fetched):
            return result
        status, reason, location = result
        host = _display_host(parts)
        if not location:
            raise DocumentError(f"{host} answered {status} {reason} without saying where to go.")
        redirects += 1
        if redirects > max_redirects:
            raise DocumentError(
                f"{host} redirected more than {max_redirects} "
                f"{'time' if max_redirects == 1 else 'times'}, so Claim Reader gave up."
            )
        target = urljoin(urlunsplit(parts), location.strip())
        new = _check(target, original, redirected_from=host)
        if not new.fragment and parts.fragment:  # RFC 9110 §10.2.2: the fragment carries over
            new = new._replace(fragment=parts.fragment)
        parts = new


# -- checking addresses -----------------------------------------------------------------------


def _check(url: str, original: str, redirected_from: str | None = None) -> SplitResult:
    """The parsed URL, or a DocumentError if it is not an http(s) address we can fetch."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    scheme = parts.scheme.lower() if parts else ""
    if parts is not None and scheme not in ("http", "https"):
        if redirected_from:
            raise DocumentError(
                f"{redirected_from} redirected to {_shown(url)}, "
                "but only http and https addresses can be opened."
            )
        raise DocumentError(f"Only http and https addresses can be opened: {_shown(url)}")
    if (
        parts is None
        or not parts.hostname
        or any(c.isspace() or ord(c) < 32 for c in parts.netloc)
        or any(ord(c) < 32 or ord(c) == 127 for c in url)
    ):
        if redirected_from:
            raise DocumentError(
                f"{redirected_from} redirected to an address that is not valid: {_shown(url)}"
            )
        raise DocumentError(f"This is not a valid web address: {_shown(original)}")
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise DocumentError(f"This is not a valid web address: {_shown(original)}") from None
    return parts._replace(scheme=scheme)


def _shown(url: str) -> str:
    """An address as a message quotes it: whole up to 200 characters (no space is touched)."""
    return shorten(url, 200, collapse=False)


def _display_host(parts: SplitResult) -> str:
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port is not None else host


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("Download cancelled.")


def _seconds(timeout: float) -> str:
    return f"{timeout:g} second" + ("" if timeout == 1 else "s")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{round(n / (1024 * 1024), 1):g} MB"
    if n >= 1024:
        return f"{round(n / 1024, 1):g} KB"
    return f"{n} bytes"


# -- one request ------------------------------------------------------------------------------


class _Hop:
    """One GET on one connection: a Fetched, or (status, reason, Location) for a redirect."""

    def __init__(
        self,
        parts: SplitResult,
        *,
        timeout: float,
        deadline: float,
        max_bytes: int,
        cancel: threading.Event | None,
    ) -> None:
        self.parts = parts
        self.host = _display_host(parts)
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.cancel = cancel
        self.stopped: str | None = None  # "timeout" or "cancel", set by the watchdog
        self.got_headers = False
        self._done = threading.Event()
        self._sock: socket.socket | None = None

    # messages

    def _timed_out(self) -> DocumentError:
        if self.got_headers:
            return DocumentError(
                f"{self.host} did not finish sending the document within {_seconds(self.timeout)}."
            )
        return DocumentError(f"{self.host} did not answer within {_seconds(self.timeout)}.")

    def _too_large(self) -> DocumentError:
        return DocumentError(
            f"The document at {self.host} is larger than {_size(self.max_bytes)}, "
            "the most Claim Reader will download."
        )

    def _stopped_error(self) -> DocumentError | None:
        if self.stopped == "cancel":
            return Cancelled("Download cancelled.")
        if self.stopped == "timeout":
            return self._timed_out()
        return None

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._timed_out()
        return min(self.timeout, left)

    # the request

    def run(self) -> Fetched | tuple[int, str, str | None]:
        conn = self._connect()
        watchdog = threading.Thread(target=self._watch, name="fetch-watchdog", daemon=True)
        watchdog.start()
        try:
            return self._exchange(conn)
        except DocumentError:
            raise
        except Exception as exc:  # anything the network throws becomes one sentence
            raise self._stopped_error() or self._network_error(exc) from exc
        finally:
            self._done.set()
            watchdog.join()
            conn.close()

    def _connect(self) -> http.client.HTTPConnection:
        parts = self.parts
        connect_timeout = self._remaining()
        # An explicit port, also when it is the default: http.client would otherwise read the
        # last group of an IPv6 address as one.
        port = parts.port or (443 if parts.scheme == "https" else 80)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(
                parts.hostname,
                port,
                timeout=connect_timeout,
                context=ssl.create_default_context(),
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=connect_timeout)
        try:
            conn.connect()
        except Exception as exc:
            conn.close()
            raise self._network_error(exc, connecting=True) from exc
        self._sock = conn.sock
        return conn

    def _watch(self) -> None:
        """Cut the connection at the deadline or when the user cancels."""
        poll = 0.05 if self.cancel is not None else None
        while True:
            left = self.deadline - time.monotonic()
            if self._done.wait(max(0.0, min(left, poll) if poll else left)):
                return
            if self.cancel is not None and self.cancel.is_set():
                self.stopped = "cancel"
            elif time.monotonic() >= self.deadline:
                self.stopped = "timeout"
            else:
                continue
            sock = self._sock
            if sock is not None:
                try:
                    # The plain socket's shutdown, also for an SSLSocket: it wakes a blocked
                    # read without touching the TLS state the reading thread is using.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass
            return

    def _settimeout(self) -> None:
        if self._sock is not None:
            self._sock.settimeout(self._remaining())

    def _exchange(self, conn: http.client.HTTPConnection) -> Fetched | tuple[int, str, str | None]:
        parts = self.parts
        target = quote(parts.path or "/", safe=_SAFE)
        if parts.query:
            target += "?" + quote(parts.query, safe=_SAFE)
        self._settimeout()
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.putheader("User-Agent", USER_AGENT)
        conn.putheader("Accept", ACCEPT)
        conn.putheader("Accept-Encoding", "gzip, deflate")
        conn.putheader("Connection", "close")
        conn.endheaders()
        resp = conn.getresponse()
        stopped = self._stopped_error()  # headers cut short by the watchdog look complete
        if stopped is not None:
            resp.close()
            raise stopped
        self.got_headers = True
        try:
            status = resp.status
            try:  # the standard phrase: servers' own reasons vary ("File not found") or are absent
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = (resp.reason or "").strip()
            if status in _REDIRECTS:
                return status, reason, resp.getheader("Location")
            if not 200 <= status < 300:
                raise DocumentError(f"{self.host} answered {status} {reason}".rstrip() + ".")
            length = resp.getheader("Content-Length")
            if length is not None and length.strip().isdigit():
                if int(length) > self.max_bytes:
                    raise self._too_large()
            content_type, charset = _parse_content_type(resp.getheader("Content-Type"))
            encoding = (resp.getheader("Content-Encoding") or "").strip().lower()
            data = self._read_body(resp, encoding)
        finally:
            resp.close()
        return Fetched(url=urlunsplit(parts), content_type=content_type, charset=charset, data=data)

    def _read_body(self, resp: http.client.HTTPResponse, encoding: str) -> bytes:
        if encoding in ("", "identity"):
            decoder = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            decoder = _Decoder()
        else:
            raise DocumentError(
                f"{self.host} sent the document in an encoding Claim Reader cannot read "
                f"({encoding})."
            )
        out = bytearray()
        received = 0
        while True:
            _check_cancel(self.cancel)
            self._settimeout()
            chunk = resp.read1(CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if received > self.max_bytes:
                raise self._too_large()
            if decoder is None:
                out += chunk
            elif not decoder.feed(chunk, out, self.max_bytes):
                raise self._too_large()
        stopped = self._stopped_error()  # an EOF caused by the watchdog is not the end
        if stopped is not None:
            raise stopped
        if decoder is not None and not decoder.finish(out, self.max_bytes):
            raise self._too_large()
        return bytes(out)

    def _network_error(self, exc: BaseException, connecting: bool = False) -> DocumentError:
        host = self.host
        if isinstance(exc, DocumentError):
            return exc
        if isinstance(exc, TimeoutError):
            return self._timed_out()
        if isinstance(exc, ssl.SSLCertVerificationError):
            why = exc.verify_message or exc.reason or "unknown reason"
            return DocumentError(f"The security certificate of {host} is not valid ({why}).")
        if isinstance(exc, ssl.SSLError):
            why = exc.reason or exc.strerror or str(exc)
            return DocumentError(f"A secure connection to {host} could not be made ({why}).")
        if isinstance(exc, socket.gaierror):
            return DocumentError(f"Could not connect to {host}: the name could not be found.")
        if isinstance(exc, ConnectionRefusedError):
            return DocumentError(f"Could not connect to {host}: the connection was refused.")
        if isinstance(exc, http.client.RemoteDisconnected):
            return DocumentError(f"{host} closed the connection without answering.")
        if isinstance(exc, http.client.IncompleteRead | ConnectionError):
            return DocumentError(f"The connection to {host} broke off during the download.")
        if isinstance(exc, zlib.error):
            return DocumentError(f"{host} sent a compressed document that could not be unpacked.")
        if isinstance(exc, http.client.HTTPException):
            return DocumentError(f"{host} sent an answer Claim Reader could not understand.")
        if isinstance(exc, UnicodeError | ValueError):
            return DocumentError(f"This is not a valid web address: {urlunsplit(self.parts)}")
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        if connecting:
            return DocumentError(f"Could not connect to {host}: {why}.")
        return DocumentError(f"The download from {host} failed: {why}.")


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    mime, _, params = value.partition(";")
    mime = mime.strip().lower()
    if "/" not in mime or any(c.isspace() for c in mime):
        mime = ""
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return mime, charset


class _Decoder:
    """Streaming gzip/zlib/raw-deflate decoder that never produces more than a limit."""

    def __init__(self) -> None:
        self._z = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib, detected
        self._settled = False  # True once output came: the mode is right
        self._seen = b""  # input before that, to replay as raw deflate

    def feed(self, data: bytes, out: bytearray, limit: int) -> bool:
        if self._settled:
            return self._feed(data, out, limit)
        self._seen += data
        try:
            ok = self._feed(data, out, limit)
        except zlib.error:
            # Some servers send raw deflate for "deflate": start again in that mode.
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            self._settled = True
            return self._feed(self._seen, out, limit)
        if out or self._z.eof:
            self._settled = True
            self._seen = b""
        return ok

    def _feed(self, data: bytes, out: bytearray, limit: int) -> bool:
        while data:
            if self._z.eof:  # trailing bytes after the stream: ignore them
                return True
            out += self._z.decompress(data, limit - len(out) + 1)
            if len(out) > limit:
                return False
            data = self._z.unconsumed_tail
        return True

    def finish(self, out: bytearray, limit: int) -> bool:
        out += self._z.flush()
        return len(out) <= limit
