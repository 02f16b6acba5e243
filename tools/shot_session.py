"""Render a restored session: a first window opens three documents, makes a set current and
quits; a second start reopens the tabs, each at its place (for the README)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(db: str, out: str, *documents: str) -> int:
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(Path(db))
    window = MainWindow(library)
    window.resize(1280, 800)
    window.show()
    for document in documents:
        tab = window.open_document(document, background=False)
        if tab is not None and tab.paged:
            window.wait_until_painted()
            tab.view.go_to_page(2)
    chosen = library.set_named("Fentanyl article check")
    if chosen is not None:
        window.sets.set_current_set(chosen.id)
    window.tabs.setCurrentIndex(0)
    window.close()
    window.deleteLater()

    again = MainWindow(library)
    again.resize(1280, 800)
    again.show()
    again.restore_session()
    while again.is_reading():  # a big saved page is read on a worker: wait for its tab
        app.processEvents()
    again.tabs.setCurrentIndex(0)
    for _ in range(5):
        app.processEvents()
    ok = again.render_to_png(Path(out))
    again.close()
    library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
