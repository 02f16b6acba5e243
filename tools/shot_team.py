"""Render the team features (for the README): a colleague's library merged through the File
menu, the "Merged with conflicts" window, and a claim's History in the editor.

`python -m tools.shot_team LIBRARY DOCUMENT OUT_DIR` — LIBRARY already has annotations on
DOCUMENT (tools/screenshots.py makes it); a colleague's copy is made beside it and changed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(db: str, document: str, out_dir: str) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.model import ClaimStatus
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    out = Path(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Path(db))
        first = min(library.all_annotations(), key=lambda a: a.anchor.start)
        colleague = Library(Path(tmp) / "tom" / "library.sqlite")
        colleague.author = "Tom Reyes"
        colleague.merge_library(library.db_path)
        colleague.update(
            colleague.annotation(first.id),
            status=ClaimStatus.REFUTED,
            note="CDC final data: 107,941 overdose deaths in 2022, 76,226 of them opioids.",
        )
        colleague.close()
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(library, settings=settings)
        window.prefs.set_author("Ana Duarte")
        window.library.author = window.prefs.author
        window.resize(1280, 800)
        window.show()
        tab = window.open_document(document, background=False)
        window.annotations.edit(first.id, {"note": "Check against the CDC WONDER query."})
        window.exchange.start_merge(Path(tmp) / "tom" / "library.sqlite")
        while window.is_busy():
            app.processEvents()
        for _ in range(5):
            app.processEvents()
        dialog = window.library_windows.conflicts_dialog
        if dialog is None or not dialog.grab().save(str(out / "merged-with-conflicts.png")):
            return 1
        print(out / "merged-with-conflicts.png")
        dialog.close()
        window.annotations.show_annotation(first.id)
        editor = window.editor
        for _ in range(5):
            app.processEvents()
        editor.form_scroll.ensureWidgetVisible(editor.history_group)
        for _ in range(5):
            app.processEvents()
        ok = window.render_to_png(out / "history.png")
        print(out / "history.png")
        del tab
        window.close()
        library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
