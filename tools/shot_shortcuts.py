"""Render Help ▸ Keyboard Shortcuts over the window (for the README)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(db: str, out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(Path(db))
    window = MainWindow(library)
    window.resize(1280, 800)
    window.show()
    window.action("shortcuts").trigger()
    dialog = window.shortcuts_dialog
    dialog.resize(560, 760)
    for _ in range(5):
        app.processEvents()
    ok = dialog.grab().save(str(out), "PNG")
    window.close()
    library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
