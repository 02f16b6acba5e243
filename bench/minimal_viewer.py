"""The physical limit for `bench startup`: PySide6 + PyMuPDF doing only "show page 1".

Run as a script: `python bench/minimal_viewer.py FILE.pdf`. It opens the PDF, renders page 1
to a QImage at the window's scale (100 % = 96 dpi, times the device pixel ratio, as the app's
default zoom), shows it in a 1280x800 window and quits after the first paintEvent. Imports only
PySide6 and pymupdf, like the smallest viewer one could write.
"""

from __future__ import annotations

import sys

import pymupdf
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget


class PageWidget(QWidget):
    def __init__(self, image: QImage) -> None:
        super().__init__()
        self.image = image
        self.done = False

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor(128, 128, 128))
        painter.drawImage(12, 12, self.image)
        painter.end()
        if not self.done:
            self.done = True
            QApplication.quit()


def main() -> int:
    app = QApplication([sys.argv[0]])
    doc = pymupdf.open(sys.argv[1])
    dpr = app.devicePixelRatio()
    scale = 96.0 / 72.0 * dpr
    pix = doc[0].get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
    image = QImage(pix.samples, pix.width, pix.height, pix.stride, QImage.Format.Format_RGB888)
    image.setDevicePixelRatio(dpr)
    widget = PageWidget(image)
    widget.resize(1280, 800)
    widget.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
