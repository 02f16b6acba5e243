"""Render the window with a claim selected and three sources cited for it (a report by DOI,
a book by ISBN, a web page), so its editor and sources show (for the README)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(db: str, document: str, out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(Path(db))
    window = MainWindow(library)
    window.resize(1280, 800)
    window.show()
    tab = window.open_document(document, background=False)
    first = min(tab.annotations.values(), key=lambda a: a.anchor.start)
    from reader import citations
    from reader.model import Stance

    for reference, stance, locator in (
        ("978-1-62040-250-4", Stance.CONTEXT, "ch. 3"),
        ("https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm", Stance.SUPPORTS, ""),
    ):
        source = library.add_source(citations.parse_reference(reference))
        if source.isbn and not source.title:  # offline: what a Look up would fill in
            from dataclasses import replace

            source = library.update_source(
                replace(
                    source,
                    title="Dreamland",
                    authors=("Quinones, Sam",),
                    issued="2015",
                    publisher="Bloomsbury Press",
                )
            )
        library.cite(first.id, source.id, stance, locator=locator)
    window.annotations.citations_changed(first.id)
    window.annotations.show_annotation(first.id)
    for _ in range(5):
        app.processEvents()
    ok = window.render_to_png(Path(out))
    window.close()
    library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
