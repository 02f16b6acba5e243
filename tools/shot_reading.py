"""Render the window while a big PDF's text is read on the worker (progress and Cancel in the
status bar, the find bar waiting), for the README."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(db: str, out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from bench.common import write_text_pdf
    from reader.library import Library
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(Path(db))
    window = MainWindow(library)
    window.resize(1280, 800)
    window.show()
    with tempfile.TemporaryDirectory() as tmp:
        lines = [
            f"Line {i}: the figures in this report are checked against their sources."
            for i in range(40)
        ]
        pages = [(f"Annual report, section {p + 1}", lines) for p in range(3000)]
        pdf = write_text_pdf(Path(tmp) / "annual-report-3000-pages.pdf", pages)
        tab = window.open_document(str(pdf), background=False)
        window.wait_until_painted()
        window.find.open()
        window.find.bar.edit.setText("overdose deaths")
        work = window.annotations.work
        shown: list[bool] = []
        job = work._works[id(tab)].job
        job.progress.connect(lambda done, total: shown.append(done > total // 5))
        while not (shown and shown[-1]) and work.running(tab):
            app.processEvents()
        ok = window.render_to_png(Path(out))
        window.close()
    library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
