"""Where the library lives: --db > $CLAIM_READER_DB > the platform's user data folder."""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path

APP_NAME = "claim-reader"


class LibraryPathError(ValueError):
    """The library path given cannot name a file; str() is one sentence for the user."""


def library_path(cli_value: str | None = None) -> Path:
    if cli_value is not None:
        # An empty --db (an unset shell variable, say) must not quietly mean the default
        # library: that would write someone's work into another file than they named.
        if not cli_value.strip():
            raise LibraryPathError(
                "--db was given an empty path; name a library file, e.g. --db library.sqlite."
            )
        return Path(cli_value).expanduser()
    env = os.environ.get("CLAIM_READER_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "library.sqlite"


def data_dir_for(db_path: Path) -> Path:
    """Snapshots and caches live beside the library file."""
    return db_path.parent


def instance_name(db_path: Path) -> str:
    """The local socket name of the window running on a library: stable per user and
    resolved library path, and short (Unix socket paths are limited to ~100 bytes; Qt puts
    the name in the temp folder). See reader.ui.single_instance."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name (containers): the path alone still separates
        user = ""
    key = f"{user}\0{Path(db_path).expanduser().resolve()}".encode()
    return "claim-reader-" + hashlib.sha256(key).hexdigest()[:24]
