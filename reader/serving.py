"""`claim-reader serve`: the library as a read-only team view, through Datasette.

Datasette serves an unchanging copy of the library (immutable mode: no locks, no writes,
no SQL that changes anything), made when the server starts, so the desktop app goes on
working on the library itself. A password is checked by the datasette-auth-passwords plugin
(HTTP Basic auth on every page, JSON endpoint and asset), never by code of ours.
"""

from __future__ import annotations

import ipaddress
import sys
import tempfile
from pathlib import Path

from reader.documents import DocumentError

__all__ = ["TEAM_USER", "build_datasette", "is_loopback", "serve"]

TEAM_USER = "team"  # the user name that goes with --password
# The hash exists only in this process's memory (made from --password at start, never
# stored), so its cost buys nothing against an offline attack; it is paid on every request.
_HASH_ITERATIONS = 20_000


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """One sentence now, rather than the server's log lines later, when nothing can listen
    there (the port is taken, or the address is not this computer's)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise DocumentError(f"{host} is not an address of this computer.") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise DocumentError(
                f"The team view cannot listen on {host}:{port} ({exc.strerror or exc})."
            ) from None


def build_datasette(copy: Path, password: str | None, title: str):
    """The Datasette app over `copy` (immutable), with our metadata and, given a password,
    every request behind HTTP Basic auth."""
    import importlib

    # datasette.app first: importing it registers Datasette's default plugins, which the
    # exception handler's module (one of them) cannot do when it is imported first.
    from datasette.app import Datasette

    from reader.store.team_view import metadata

    handler = importlib.import_module("datasette.handle_exception")

    # Datasette's default handler prints every refused request (a write through SQL, a bad
    # query: a visitor's mistake, answered with an error page) to the console as a full
    # traceback with locals when `rich` is installed. Its plain traceback for real server
    # errors (status 500) stays.
    handler.rich = None

    plugins = None
    if password:
        from datasette_auth_passwords.utils import hash_password

        plugins = {
            "datasette-auth-passwords": {
                f"{TEAM_USER}_password_hash": hash_password(password, iterations=_HASH_ITERATIONS),
                "http_basic_auth": True,
            }
        }
    return Datasette(
        immutables=[str(copy)],
        metadata=metadata(title, plugins),
        settings={
            # Facet suggestions run a query per column on every table page.
            "suggest_facets": False,
            "sql_time_limit_ms": 5000,
            # ?_trace=1 shows the SQL behind an answer (read-only statements): how the team
            # view's search is measured against raw FTS5 (bench/team.py).
            "trace_debug": True,
        },
    )


def serve(library: Path, *, host: str, port: int, password: str | None) -> int:
    """Serve until Ctrl+C; returns the exit status."""
    if not is_loopback(host) and not password:
        raise DocumentError(
            f"Serving on {host} reaches beyond this computer: give a --password for the team."
        )
    if not library.exists():
        raise DocumentError(f"There is no library at {library}.")
    _check_port(host, port)
    import uvicorn

    from reader.store import open_database
    from reader.store.team_view import DATABASE_NAME, snapshot_copy

    open_database(library).close()  # brought up to the current schema before it is copied
    with tempfile.TemporaryDirectory(prefix="claim-reader-serve-") as folder:
        copy = Path(folder) / f"{DATABASE_NAME}.sqlite"
        snapshot_copy(library, copy)
        app = build_datasette(copy, password, "Claim Reader team view").app()
        shown = f"[{host}]" if ":" in host else host
        print(
            f"Serving {library} read-only (as it was now) at http://{shown}:{port}/"
            + (f" (user {TEAM_USER!r} and the password)" if password else "")
            + "; Ctrl+C stops.",
            flush=True,
        )
        config = uvicorn.Config(
            app, host=host, port=port, log_level="info", access_log=False, lifespan="on"
        )
        server = uvicorn.Server(config)
        try:
            server.run()
        except KeyboardInterrupt:  # a second Ctrl+C while shutting down
            pass
        if not server.started:
            print(f"error: the team view could not listen on {shown}:{port}.", file=sys.stderr)
            return 1
    return 0
