"""The annotation editor's fields in words: the labels of statuses and anchor states, the
fields it edits, tags typed as text, a history entry as a line, a stored time as local time.
No widgets here: these are the editor's rules, testable on their own."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from reader.model import AnchorState, ClaimStatus, HistoryEntry
from reader.text_shortening import shorten

STATUS_LABELS = {status: status.value.capitalize() for status in ClaimStatus}

ANCHOR_TEXT = {
    AnchorState.EXACT: "exact",
    AnchorState.FUZZY: "fuzzy — the text changed; check it",
    AnchorState.ORPHAN: "orphan — its words are no longer in this version",
}

FIELDS = (
    "kind",
    "color",
    "status",
    "claimant",
    "claimant_type",
    "claim_reviewed",
    "claim_date",
    "note",
    "tags",
    "author",
)
# How the ClaimReview export types the claimant: "" guesses from the name.
CLAIMANT_TYPES = (
    ("", "Person or organisation (guess)"),
    ("person", "Person"),
    ("organization", "Organisation"),
)


def parse_tags(text: str) -> tuple[str, ...]:
    """Comma-separated tags: trimmed, inner whitespace collapsed, empties and repeats dropped."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        tag = " ".join(part.split())
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


def format_tags(tags: Iterable[str]) -> str:
    return ", ".join(tags)


def describe_change(entry: HistoryEntry) -> str:
    """One history entry in words: "status: unverified → refuted", "cited X (refutes)" …"""
    if entry.field == "created":
        return "created"
    if entry.field in ("deleted", "restored"):
        return entry.field
    old, new = shorten(entry.old, 60), shorten(entry.new, 60)
    if entry.field == "citation":
        return f"cited {new}" if entry.new else f"removed {old}"
    change = f"{entry.field}: {old or '∅'} → {new or '∅'}"
    if entry.ref == "merge conflict":
        change += " (merge: both changed it, the newer edit kept)"
    return change


def local_time(iso: str) -> str:
    """An ISO 8601 time (UTC when it says no zone) as the user's local 'YYYY-MM-DD HH:MM'."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
