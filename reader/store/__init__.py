"""The only package that speaks SQL."""

from reader.store.db import LibraryDamaged, open_database
from reader.store.repo import Repository

__all__ = ["LibraryDamaged", "Repository", "open_database"]
