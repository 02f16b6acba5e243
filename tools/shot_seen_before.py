"""Render the window with a claim of the seed article selected whose "Seen before" box lists
an earlier claim from another document and an imported fact-check making the same claim."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QUOTE = "the death toll from opioids surged to 79,770 in 2022"
BRIEFING = (
    "Briefing notes, March 2024\n\n"
    "According to the CDC, 79,770 people died of opioid overdoses in 2022.\n\n"
    "Gun deaths rose to 79,770 in 2022.\n"
)
FEED = {
    "@context": "https://schema.org",
    "@type": "DataFeed",
    "dataFeedElement": [
        {
            "@type": "DataFeedItem",
            "item": [
                {
                    "@type": "ClaimReview",
                    "url": "https://factcheck.example/2024/opioid-deaths",
                    "claimReviewed": "The CDC says 79,770 people died from opioids in 2022.",
                    "author": {"@type": "Organization", "name": "Example Fact Check"},
                    "datePublished": "2024-03-05",
                    "reviewRating": {"@type": "Rating", "alternateName": "True"},
                }
            ],
        }
    ],
}


def main(db: str, document: str, out: str) -> int:
    from PySide6.QtWidgets import QApplication

    from reader.library import Library
    from reader.model import ClaimStatus, Source
    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(Path(db))
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.json"
        feed.write_text(json.dumps(FEED), encoding="utf-8")
        library.import_file(feed)
        briefing = Path(tmp) / "Briefing notes.txt"
        briefing.write_text(BRIEFING, encoding="utf-8")
        window = MainWindow(library)
        window.resize(1280, 800)
        window.show()
        other = window.open_document(str(briefing), background=False)
        text = other.opened.document.text
        said = "According to the CDC, 79,770 people died of opioid overdoses in 2022."
        start = text.index(said)
        earlier = library.highlight(
            other.opened, start, start + len(said), status=ClaimStatus.SUPPORTED
        )
        source = library.add_source(
            Source(
                title="Provisional drug overdose death counts",
                publisher="CDC",
                issued="2023",
                url="https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm",
            )
        )
        library.cite(earlier.id, source.id)
        tab = window.open_document(document, background=False)
        start = tab.opened.document.text.index(QUOTE)
        claim = library.highlight(tab.opened, start, start + len(QUOTE))
        window.annotations.reload(tab)
        window.annotations.show_annotation(claim.id)
        panel = window.editor.seen_before
        panel.refresh()  # what the settle timer does
        for _ in range(5):
            app.processEvents()
        scroll = window.editor.form_scroll
        scroll.verticalScrollBar().setValue(
            panel.mapTo(scroll.widget(), panel.rect().topLeft()).y() - 60
        )
        for _ in range(5):
            app.processEvents()
        ok = window.render_to_png(Path(out))
        window.close()
    library.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
