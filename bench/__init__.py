"""Benchmarks for Claim Reader: `python -m bench [NAME ...]` (or `make bench`).

Each benchmark prints its value, the physical limit it is measured against, the ratio and the
goal; nothing asserts, slowness never fails the run. Large test PDFs are generated into a
temporary folder; the table is also written to bench/out/results.txt (git-ignored).

  startup        process start → first PDF page painted: app vs a minimal PySide6+PyMuPDF viewer
  scroll_render  page rendering while stepping through 100 pages in PdfView vs raw get_pixmap
  memory         peak RSS after scrolling a 1,000-page PDF end to end (and the pixmap cache)
  article_open   opening a 1 MB Wikipedia page (extraction + ArticleView) vs lxml parsing
  annotated_open opening a 300-page PDF with 10,000 annotations → first paint, vs without any
  fts_search     Library.search over 100,000 annotations vs the raw FTS5 query (and the insert)
  reanchor       open + re-anchor 1,000 annotations on an edited 1,000-page PDF vs its text
  exchange       CSV export / import of 100,000 annotations vs raw sqlite3 + csv (and memory)
  list_cmd       `claim-reader list --json` over 100,000 annotations vs a raw select of the rows
  extraction     article F1 / metadata of ours vs readability-lxml, trafilatura, Readability.js
                 alone on 137 pages with expected output; `extract` processes vs readability
  team           merging a 100,000-annotation library vs raw SQL copy; the served search vs FTS5
  seen_before    "seen before" over 100,000 claims + 10,000 fact-checks vs its FTS5 + rapidfuzz
  hostile        a 100,000-entry outline vs MuPDF's own walk; weighing pages vs reading their text
  claims_speed   candidate claims of a 1,000-paragraph document vs the sentence split + number scan
  claims_quality candidate claims' F1 on a check-worthiness test split vs "a digit or a claim verb"
                 (the data is not ours: $CLAIM_READER_CHECKWORTHY, see bench/claims_quality.py)
"""

BENCHMARKS = (
    "startup",
    "scroll_render",
    "memory",
    "article_open",
    "annotated_open",
    "fts_search",
    "reanchor",
    "exchange",
    "list_cmd",
    "extraction",
    "team",
    "hostile",
    "seen_before",
    "claims_speed",
    "claims_quality",
)
QT_BENCHMARKS = frozenset({"scroll_render", "article_open"})  # need a QApplication in-process
