"""Benchmarks for Claim Reader: `python -m bench [NAME ...]` (or `make bench`).

Each benchmark prints its value, the physical limit it is measured against, the ratio and the
goal; nothing asserts, slowness never fails the run. Large test PDFs are generated into a
temporary folder; the table is also written to bench/out/results.txt (git-ignored).

  startup        process start → first PDF page painted: app vs a minimal PySide6+PyMuPDF viewer
  scroll_render  page rendering while stepping through 100 pages in PdfView vs raw get_pixmap
  memory         peak RSS after scrolling a 1,000-page PDF end to end (and the pixmap cache)
  article_open   opening a 1 MB Wikipedia page (extraction + ArticleView) vs lxml parsing
"""

BENCHMARKS = ("startup", "scroll_render", "memory", "article_open")
QT_BENCHMARKS = frozenset({"scroll_render", "article_open"})  # need a QApplication in-process
