"""A real Claim Reader window highlighting as a user would, until it is SIGKILLed.

tests/test_kill.py runs this in a subprocess (not collected by pytest: no `test_` prefix):

    python tests/kill_gui_session.py LIBRARY DOCUMENT SEED [STEPS]

It builds the window as `reader.app.run_gui` does (Library + MainWindow, shown, no backup),
with its settings in an ini file beside LIBRARY, opens DOCUMENT and prints
`ready LOADED` (how many annotations the window loaded). Then, driven by QTimer so Qt's event
loop runs between gestures, it repeatedly drags the mouse over a passage of the view (or, when
the drag missed, sets the text cursor), triggers the window's `highlight_<kind>` QAction (what
the toolbar, menu and shortcut trigger) and, once the action has returned, prints the new
annotation's id on a line of its own. Sometimes it then types a note and picks a status in the
editor dock; the editor saves them after its 400 ms debounce (or when the next highlight
selects another annotation), and once a save has been committed it prints
`edited ID {"note": ..., "status": ...}`. Every printed line is flushed at once, so whatever
was printed before a SIGKILL was reported to the user. With STEPS > 0 it closes the window and
exits after that many highlights; otherwise it goes on (60 s at most) until it is killed.
A failed expectation raises inside a Qt slot, which prints a traceback to stderr.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CLAIM_READER_NO_BACKUP"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reader.library import Library  # noqa: E402
from reader.model import AnnotationKind  # noqa: E402
from reader.ui.main_window import MainWindow  # noqa: E402

LIFETIME_MS = 60_000  # never outlive a test that forgot to kill it
WAIT_MS = 5_000  # for a highlight the window makes once the text is read


def main(argv: list[str]) -> int:
    db, document, seed = Path(argv[1]), argv[2], int(argv[3])
    steps = int(argv[4]) if len(argv) > 4 else 0
    rng = random.Random(seed)

    app = QApplication([argv[0]])
    app.setApplicationName("Claim Reader")
    app.setOrganizationName("claim-reader")
    library = Library(db)
    settings = QSettings(str(db.parent / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    window.resize(1100, 800)
    window.show()
    tab = window.open_document(document)
    if tab is None:
        raise SystemExit(f"could not open {document}: {window.last_error}")
    view, editor = tab.view, window.editor
    text = tab.opened.document.text
    kinds = list(AnnotationKind)
    made = 0

    def report_edit(annotation_id: str, changes: dict) -> None:
        # Connected after the window's own handler, which has committed the change by now.
        stored = library.annotation(annotation_id)
        assert stored is not None, annotation_id
        for name, value in changes.items():
            assert str(getattr(stored, name)) == str(value), (name, value, stored)
        print(f"edited {annotation_id} {json.dumps(changes, default=str)}", flush=True)

    editor.edited.connect(report_edit)

    def pick_range() -> tuple[int, int]:
        while True:
            start = rng.randrange(0, len(text) - 45)
            end = start + rng.randint(8, 40)
            if text[start:end].strip():
                return start, end

    def select(start: int, end: int) -> None:
        """Drag the mouse from the first to the last character, as a reader selects words."""
        cursor = QTextCursor(view.document())
        cursor.setPosition(view.position_of(start))
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
        a = view.cursorRect(cursor).center()
        cursor.setPosition(view.position_of(end))
        b = view.cursorRect(cursor).center()
        QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
        QTest.mouseMove(view.viewport(), b)
        QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
        if view.selection_range() is None:  # the end was off screen, or the same point
            view.select_range(start, end)

    def describe() -> None:
        """Type a note and sometimes choose a status, in the editor dock."""
        QTest.keyClicks(editor.note_edit, f"checked in run {seed}, step {made}")
        if rng.random() < 0.5:
            editor.status_combo.setCurrentIndex(rng.randrange(editor.status_combo.count()))

    def step() -> None:
        before = set(tab.annotations)
        select(*pick_range())
        window.highlight_actions[rng.choice(kinds)].trigger()
        highlighted(before, 0)

    def highlighted(before: set[str], waited_ms: int) -> None:
        """Report the annotation the action made (the window may make it a moment later,
        once the document's text has been read off the UI thread)."""
        nonlocal made
        new = set(tab.annotations) - before
        if not new and waited_ms < WAIT_MS:
            QTimer.singleShot(10, lambda: highlighted(before, waited_ms + 10))
            return
        assert len(new) == 1, f"the highlight action made {len(new)} annotations"
        (annotation_id,) = new
        shown = editor.annotation()
        assert shown is not None and shown.id == annotation_id, "the editor shows another one"
        print(annotation_id, flush=True)
        made += 1
        if steps and made >= steps:
            QTimer.singleShot(0, window.close)
            return
        delay = rng.choice((0, 0, 5, 20))
        if rng.random() < 0.3:
            describe()
            # Sometimes the debounce saves it, sometimes the next highlight (flush on select).
            delay = rng.choice((0, 100, 450, 600))
        QTimer.singleShot(delay, step)

    def start() -> None:
        print(f"ready {len(tab.annotations)}", flush=True)
        step()

    QTimer.singleShot(0, start)
    QTimer.singleShot(LIFETIME_MS, window.close)
    app.setQuitOnLastWindowClosed(True)
    code = app.exec()
    library.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
