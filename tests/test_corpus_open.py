"""Every file in the shared corpus opens in the real window, or fails with one clear sentence."""

from __future__ import annotations

import pytest
from conftest import CORPUS, corpus_files, open_and_wait

# What a user expects from the two files that cannot simply be shown.
EXPECTED_FAILURES = {
    "pdf/unreadablemetadata.pdf": "cannot be read",
}
NEEDS_PASSWORD = {"pdf/libreoffice-writer-password.pdf": "openpassword"}

FILES = corpus_files()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file_opens_or_fails_cleanly(window, passwords, qtbot, path):
    rel = str(path.relative_to(CORPUS))
    if rel in NEEDS_PASSWORD:
        passwords.append(NEEDS_PASSWORD[rel])
    tab = open_and_wait(window, qtbot, path)
    if rel in EXPECTED_FAILURES:
        assert tab is None
        assert EXPECTED_FAILURES[rel] in window.last_error
        assert "\n" not in window.last_error
        return
    assert tab is not None, window.last_error
    assert window.last_error == ""
    document = tab.opened.document
    if document.kind.paged:
        assert document.page_count >= 1
        qtbot.waitUntil(lambda: tab.view.has_painted, timeout=10000)
    else:
        assert len(document.text) > 100
        assert tab.view.toPlainText().strip()
    assert window.library.document(document.sha256) is not None
