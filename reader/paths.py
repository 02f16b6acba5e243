"""Where the library lives: --db > $CLAIM_READER_DB > the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "claim-reader"


def library_path(cli_value: str | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("CLAIM_READER_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "library.sqlite"


def data_dir_for(db_path: Path) -> Path:
    """Snapshots and caches live beside the library file."""
    return db_path.parent
