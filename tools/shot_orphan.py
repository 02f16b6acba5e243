"""Render the window with an orphan whose quote occurs twice selected: its possible places."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SEED = (
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed" / "000_d286d3589c386401.txt"
)
QUOTE = "surged to 79,770 in 2022"


def main(out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        # A colleague annotated the article and sent the export; the article since gained a
        # pull quote of the passage, and this library never saw the first edition.
        story = Path(tmp) / "fentanyl-article.txt"
        text = SEED.read_text(encoding="utf-8")
        story.write_text(text, encoding="utf-8")
        colleague = Library(Path(tmp) / "colleague.sqlite")
        opened = colleague.open_path(story)
        colleague.highlight(opened, *colleague.find_quote(opened, QUOTE), note="CDC: all deaths?")
        colleague.export(Path(tmp) / "export.csv", "csv")
        colleague.close()
        start = text.index(QUOTE)
        passage = text[text.rfind("\n", 0, start) + 1 : start + len(QUOTE) + 120]
        story.write_text(f"{passage}\n\n{text}", encoding="utf-8")
        library = Library(Path(tmp) / "library.sqlite")
        library.import_file(Path(tmp) / "export.csv")
        window = MainWindow(library)
        window.resize(1280, 800)
        window.show()
        tab = window.open_document(str(story), background=False)
        (orphan,) = tab.annotations.values()
        window.annotations.show_annotation(orphan.id)
        for _ in range(5):
            app.processEvents()
        ok = window.render_to_png(Path(out))
        window.close()
        library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
