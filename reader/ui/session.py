"""The open tabs, remembered at quit and opened again at the next start (each document then
comes back at its own place: `Library.view_place`)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

_TABS = "session/tabs"
_CURRENT = "session/current"


def save_session(settings: QSettings, sources: list[str], current: int) -> None:
    """The documents open now (paths or URLs, in tab order) and the current one's index."""
    settings.setValue(_TABS, list(sources))
    settings.setValue(_CURRENT, current)


def saved_session(settings: QSettings) -> tuple[list[str], int]:
    """(the documents that were open, in order; the index of the current one)."""
    raw = settings.value(_TABS, [])
    if isinstance(raw, str):  # QSettings gives a one-item list back as a plain string
        raw = [raw]
    sources = [str(s) for s in raw or [] if str(s).strip()]
    try:
        current = int(settings.value(_CURRENT, 0) or 0)
    except (TypeError, ValueError):
        current = 0
    return sources, max(0, min(current, len(sources) - 1)) if sources else 0
