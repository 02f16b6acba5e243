"""The one Qt-free façade the GUI and the CLI talk to.

`Library` is composed of parts, each a class in a module of this package with one job. A part
builds on the parts it calls (they are its base classes):

    core ← opening ← annotating ← sources ← hypothesis_zotero ← importing
                                annotating ← pdf_markup;   core ← exporting

- core.py: the database, the author, the snapshot folder, and sets;
- opening.py: files and URLs opened and recorded, version texts and OCR kept;
- annotating.py: anchoring, re-anchoring, changing, deleting, history, search;
- sources.py: sources and citations, documents as sources, passages as evidence;
- hypothesis_zotero.py: annotations made in Hypothesis and Zotero, placed on our copies;
- importing.py: exports (merged by importer.py) and other libraries brought in;
- exporting.py: the export formats written;
- pdf_markup.py: a PDF's own markup written out and read in.
"""

from reader.documents import DocumentError
from reader.documents.base import Cancelled, PasswordRequired
from reader.library.core import OpenedDocument, default_author, is_url, preferred_author
from reader.library.errors import EmptySelection, ImportFailed, QuoteNotFound
from reader.library.exporting import Exporting
from reader.library.importing import Importing, refuse_unimportable
from reader.library.pdf_markup import PdfMarkup
from reader.store import LibraryDamaged

# Re-exported so the GUI names library faults, checks and backups without reaching into the store.
from reader.store.backup import BackupError, BackupInfo, list_backups, make_backup, restore_backup
from reader.store.db import LibraryError, LibraryUnavailable, check_file


class Library(PdfMarkup, Importing, Exporting):
    """Everything the GUI and the CLI do with documents, annotations, sources and files:
    each change is committed at once, and every fault a user can cause is a DocumentError
    whose message is one sentence for them."""


__all__ = [
    "BackupError",
    "BackupInfo",
    "Cancelled",
    "DocumentError",
    "EmptySelection",
    "ImportFailed",
    "Library",
    "LibraryDamaged",
    "LibraryError",
    "LibraryUnavailable",
    "OpenedDocument",
    "PasswordRequired",
    "QuoteNotFound",
    "check_file",
    "default_author",
    "is_url",
    "list_backups",
    "make_backup",
    "preferred_author",
    "refuse_unimportable",
    "restore_backup",
]
