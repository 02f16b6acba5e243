"""Guard for the `pymupdf<2` pin: repeated incremental saves must keep every annotation.

PyMuPDF 2.0 lost 19 of 20 highlight annotations added and saved incrementally one by one on
the same open document. Lift the pin only when this passes on the new version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"
ROUNDS = 20


def test_twenty_incremental_saves_keep_twenty_highlights(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    shutil.copyfile(PDF_DIR / "pdflatex-4-pages.pdf", path)
    doc = pymupdf.open(path)
    try:
        page = doc[0]
        words = [w for w in page.get_text("words") if w[4].isalpha()][:ROUNDS]
        assert len(words) == ROUNDS
        for i, word in enumerate(words):
            annot = page.add_highlight_annot(pymupdf.Rect(word[:4]))
            annot.set_info(content=f"note {i}")
            annot.update()
            doc.saveIncr()
    finally:
        doc.close()

    reopened = pymupdf.open(path)
    try:
        annots = list(reopened[0].annots(types=[pymupdf.PDF_ANNOT_HIGHLIGHT]))
        assert len(annots) == ROUNDS
        assert sorted(a.info["content"] for a in annots) == sorted(
            f"note {i}" for i in range(ROUNDS)
        )
    finally:
        reopened.close()
