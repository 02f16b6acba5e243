"""Shared fixtures. Qt must be told to render offscreen before anything imports it."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"


def corpus_files() -> list[Path]:
    """Every document in the corpus (manifests, licences and ground truth left out)."""
    skip_names = {"manifest.tsv", "README.md", "expected.html", "expected-metadata.json"}
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name in skip_names:
            continue
        if path.name.startswith("LICENSE") or path.name.endswith(".ground-truth.json"):
            continue
        found.append(path)
    return found


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "library.sqlite"


@pytest.fixture
def library(library_path: Path):
    from reader.library import Library

    lib = Library(library_path)
    yield lib
    lib.close()


@pytest.fixture
def passwords() -> list[str | None]:
    """Answers the password prompt will give, in order; None is Cancel."""
    return []


@pytest.fixture
def window(qtbot, library, passwords):
    from PySide6.QtCore import QSettings

    from reader.ui.main_window import MainWindow

    asked: list[tuple[str, bool]] = []

    def ask(name: str, wrong: bool) -> str | None:
        asked.append((name, wrong))
        return passwords.pop(0) if passwords else None

    settings = QSettings(str(library.db_path.parent / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, ask_password=ask, settings=settings)
    win.password_requests = asked
    qtbot.addWidget(win)
    win.resize(1100, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


def open_and_wait(window, qtbot, target, timeout: int = 120000, **kwargs):
    """window.open_document, waiting for a big article read on the worker: the tab it
    opened, or None (then window.last_error says why, or a password prompt was cancelled)."""
    before = window.current_tab()
    tab = window.open_document(str(target), **kwargs)
    if tab is not None or not window.is_reading():
        return tab
    qtbot.waitUntil(lambda: not window.is_reading(), timeout=timeout)
    now = window.current_tab()
    return None if now is before else now


def claim_citing_the_cdc(window, qtbot, evidence: str):
    """Highlight "surged to 79,770 in 2022" in the seed article as a claim and cite the CDC's
    page for it with `evidence` as its evidence quote, as a user does: the open tab."""
    from PySide6.QtCore import Qt

    tab = window.open_document(str(SEED))
    quote = "surged to 79,770 in 2022"
    start = tab.opened.document.text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions["claim"].trigger()
    panel = window.editor.citations
    panel.input.setPlainText("https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    panel.evidence_edit.setPlainText(evidence)
    panel.flush()  # what leaving the field does
    return tab
