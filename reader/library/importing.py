"""Import: a CSV or W3C JSON export, another Claim Reader library (merged, with its
conflicts to resolve), or a Hypothesis or Zotero file, each in one transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from reader.documents import DocumentError
from reader.library.core import is_sqlite_file, utc_now
from reader.library.errors import ImportFailed
from reader.library.hypothesis_zotero import HypothesisZotero
from reader.library.importer import _Importer
from reader.model import (
    Annotation,
    AnnotationKind,
    ClaimStatus,
    ImportSummary,
    MergeConflict,
    MergeSummary,
)
from reader.store.db import LibraryError


class Importing(HypothesisZotero):
    """Files brought in: exports (by `_Importer`), other libraries, other tools' files."""

    def import_file(
        self,
        path: str | Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportSummary:
        """Merge a CSV or W3C JSON export (sniffed) into the library, in one transaction; an
        SQLite file goes to `_import_sqlite` (another Claim Reader library: `merge_library`).

        Annotations are merged by id: new ones are added, stored ones whose fields, citations
        or set memberships differ are updated to what the file says, the rest are unchanged
        (nothing is deleted). Documents are matched by SHA-256; bytes the library has never
        seen become a document record (and version) from the file's title and file name, so
        the annotations keep their anchors until the document is opened. Sources are matched
        by DOI / ISBN / URL, else by exact title and date; citations by id; sets by name.
        A malformed file raises ImportFailed ("line N: …", for JSON "item N: …") and nothing
        is imported. `progress(done, total)` counts bytes (CSV) or is called at the end (JSON).
        """
        from reader.exchange import ExchangeError

        path = Path(path)
        if is_sqlite_file(path):
            return self._import_sqlite(path, progress)
        try:
            raw = path.open("rb")
            size = path.stat().st_size
        except OSError as exc:
            raise DocumentError(f"{path} cannot be read: {exc.strerror or exc}.") from None
        with raw:
            head = raw.read(4096)
            raw.seek(0)
            if _is_hypothesis_head(head):
                try:
                    return self.import_hypothesis(raw)
                except ExchangeError as exc:
                    raise ImportFailed(str(exc)) from None
            from reader.exchange import claimreview_in

            if claimreview_in.is_claimreview_head(head):  # published fact-checks (issue 15)
                try:
                    checks = claimreview_in.load_claimreview(raw)
                    return ImportSummary(*self.repo.fact_checks.upsert(checks))
                except ExchangeError as exc:
                    raise ImportFailed(str(exc)) from None
            refusal = refuse_unimportable(path, head)
            if refusal:
                raise ImportFailed(refusal)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
                from reader.exchange.webanno import read_webanno

                items = read_webanno(raw)
            else:
                from reader.exchange.csv_format import read_csv

                items = read_csv(raw, (lambda done: progress(done, size)) if progress else None)
            try:
                with self._exchange_store().roomy_cache(), self.transaction():
                    summary = _Importer(self, cancel).run(items)
            except ExchangeError as exc:
                raise ImportFailed(str(exc)) from None
            except UnicodeDecodeError:
                raise ImportFailed("line 1: the file is not UTF-8 text.") from None
        if progress is not None:
            progress(size, size)
        return summary

    def _import_sqlite(
        self, path: Path, progress: Callable[[int, int], None] | None = None
    ) -> ImportSummary:
        """A SQLite file: each kind of library it may be is recognised by one small check."""
        from reader.store.merge import is_library_file
        from reader.store.zotero import is_zotero_library

        if is_library_file(path):
            summary = self.merge_library(path)
            if progress is not None:
                progress(1, 1)
            return summary
        if is_zotero_library(path):
            summary = self.import_zotero(path)
            if progress is not None:
                progress(1, 1)
            return summary
        raise ImportFailed(
            f"{path.name} is a SQLite database, but not a library Claim Reader can import "
            "(neither a Claim Reader library nor a Zotero library)."
        )

    # -- another library ---------------------------------------------------------------------------

    def merge_library(self, path: str | Path) -> MergeSummary:
        """Merge another Claim Reader library file into this one, in one transaction; the
        other file is opened read-only and never modified (see reader.store.merge)."""
        import sqlite3

        from reader.store.merge import (
            MergeRefused,
            attach_read_only,
            detach,
            merge_library,
            set_snapshot,
        )

        path = Path(path)
        if not path.is_file():
            raise DocumentError(f"{path} cannot be read: there is no such file.")
        if self.db_path is not None and path.resolve() == self.db_path.resolve():
            raise DocumentError(f"{path.name} is this library: there is nothing to merge.")
        db = self.repo.db
        try:
            attach_read_only(db, path)
        except MergeRefused as exc:
            raise ImportFailed(str(exc)) from None
        try:
            with self._exchange_store().roomy_cache(), self.transaction():
                result = merge_library(db, path.name, self.author, utc_now())
                for sha, their_file in result.snapshots:
                    copied = self._copy_snapshot(path, their_file)
                    if copied:
                        set_snapshot(db, sha, copied)
        except MergeRefused as exc:
            raise ImportFailed(str(exc)) from None
        except sqlite3.DatabaseError as exc:  # their file is damaged or holds what ours cannot
            if isinstance(exc, LibraryError):
                raise
            raise ImportFailed(
                f"{path.name} cannot be merged ({' '.join(str(exc).split())}); nothing was merged."
            ) from None
        finally:
            detach(db)
        return MergeSummary(
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            conflicts=result.conflicts,
        )

    def _copy_snapshot(self, other_library: Path, their_file: str) -> str:
        """Copy a URL document's saved page from the other library's folder into ours; the
        path it now has, or "" when the other library's copy is not there to be copied."""
        import shutil

        name = Path(their_file).name
        candidates = [Path(their_file), other_library.parent / "snapshots" / name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            return ""
        target = self.snapshot_dir / name
        try:
            self.snapshot_dir.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(found, target)
        except OSError as exc:
            raise DocumentError(
                f"The saved page {name} cannot be copied into {self.snapshot_dir}: "
                f"{exc.strerror or exc}; nothing was merged."
            ) from None
        return str(target)

    def open_conflicts(self) -> list[MergeConflict]:
        """Fields a merge found changed on both sides, not yet resolved, newest first."""
        return self.repo.history.open_conflicts()

    def conflict_changes(self, conflict_id: int, keep: str) -> tuple[str, dict[str, object]]:
        """(annotation id, the `update` changes that keep "mine" or "theirs" for this
        conflict); no changes when the annotation has that value already or is gone."""
        from reader.store.history import field_values

        if keep not in ("mine", "theirs"):
            raise ValueError(f"keep is mine or theirs, not {keep!r}")
        conflict = self.repo.history.conflict(conflict_id)
        if conflict is None:
            return "", {}
        value = (conflict.mine if keep == "mine" else conflict.theirs) or ""
        annotation = self.repo.annotation(conflict.annotation_id)
        if annotation is None or field_values(annotation).get(conflict.field) == value:
            return conflict.annotation_id, {}
        converted: object = value
        if conflict.field == "kind":
            converted = AnnotationKind(value)
        elif conflict.field == "status":
            converted = ClaimStatus(value)
        elif conflict.field == "tags":
            converted = tuple(t for t in value.split("; ") if t)
        return conflict.annotation_id, {conflict.field: converted}

    def close_conflict(self, conflict_id: int) -> None:
        with self.transaction():
            self.repo.history.close_conflict(conflict_id)

    def resolve_conflict(self, conflict_id: int, keep: str) -> Annotation | None:
        """Keep "mine" or "theirs" for one conflict, in one transaction: the field is set to
        that value (an ordinary change, on the record) and the conflict is closed."""
        with self.transaction():
            annotation_id, changes = self.conflict_changes(conflict_id, keep)
            annotation = self.repo.annotation(annotation_id) if annotation_id else None
            if annotation is not None and changes:
                annotation = self.update(annotation, **changes)
            self.repo.history.close_conflict(conflict_id)
        return annotation


# What a file that is no export is, by its first bytes (magic numbers).
_NOT_AN_EXPORT = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (an EPUB, an Office document or a .zip)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)


def refuse_unimportable(path: Path, head: bytes) -> str:
    """The sentence for a file `import` cannot take, named for what it is (a PDF, an image,
    an archive …); "" for a file that may be an export. SQLite files are told apart by
    `Library._import_sqlite`."""
    name = path.name or str(path)
    what = next((what for magic, what in _NOT_AN_EXPORT if head.startswith(magic)), "")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        what = "a WebP image"
    if not what:
        return ""
    return f"{name} is {what}, not a Claim Reader export (CSV or JSON): nothing was imported."


def _is_hypothesis_head(head: bytes) -> bool:
    """A Hypothesis export (an object with "annotations"), not a W3C one (with "@context")."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        text.startswith(b"{")
        and b'"@context"' not in text
        and (b'"annotations"' in text or b'"export_date"' in text)
    )
