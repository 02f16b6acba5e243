"""A table model's columns declared once: each one's position, header and header tip together.

Adding a column is then one line, and a header can never be missing for a column.
"""

from __future__ import annotations

from enum import IntEnum


class TableColumn(IntEnum):
    """Subclass it with members written ``NAME = position, "Header"`` (and a tip, optionally:
    ``NAME = position, "Header", "What the column shows"``)."""

    header: str
    tip: str

    def __new__(cls, position: int, header: str, tip: str = "") -> TableColumn:
        member = int.__new__(cls, position)
        member._value_ = position
        member.header = header
        member.tip = tip
        return member
