"""Render the window with the Candidates list of the seed article in front, one candidate
selected in the list and in the text (for the README)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(db: str, document: str, out: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(Path(db))
    window = MainWindow(library)
    window.resize(1280, 800)
    window.show()
    assistant = window.check_assistant
    assistant.dock.raise_()
    tab = window.open_document(document, background=False)
    if assistant.found(tab) is None:
        loop = QEventLoop()
        assistant.computed.connect(lambda _tab: loop.quit())
        QTimer.singleShot(60_000, loop.quit)  # a tool, not a test: give up rather than hang
        loop.exec()
    panel = assistant.panel
    rows = [i for i, c in enumerate(panel.shown()) if "first country" in c.text]
    panel.list.setCurrentRow(rows[0] if rows else 0)
    assistant.show_current()
    for _ in range(5):
        app.processEvents()
    ok = window.render_to_png(Path(out)) and bool(panel.shown())
    window.close()
    library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
