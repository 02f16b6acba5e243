"""Render the real windows to PNG for the README: `make screenshots` (offscreen, no display)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

SCANNED = "scanned.pdf"  # made in the temporary folder from SCAN_OF (see _scan)
SCAN_OF = CORPUS / "pdf" / "crazyones-pdfa.pdf"
SHOTS = [
    ("seed-article.png", CORPUS / "seed" / "000_d286d3589c386401.txt"),
    ("pdf.png", CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"),
    ("news-page.png", CORPUS / "html" / "readability" / "bbc-1" / "source.html"),
    # The notice naming the font package when no installed font shows the page's script.
    ("japanese-page.png", CORPUS / "html" / "readability" / "hukumusume" / "source.html"),
    # A scan read by OCR (kept in the library by the highlight made on it first): the badge.
    ("scanned-pdf.png", SCANNED),
    ("start-page.png", None),  # last, so its recent list shows the others
]


def _scan(original: Path, out: Path) -> Path:
    """An image-only copy of `original` (each page rendered to a picture), like a scan."""
    import pymupdf

    with pymupdf.open(original) as src, pymupdf.open() as scan:
        for page in src:
            image = page.get_pixmap(dpi=150)
            new = scan.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, pixmap=image)
        scan.save(out)
    return out

# Highlights made through the command line first, so the pictures show what a user's would.
CDC_REPORT = (
    "@techreport{spencer2024, author = {Spencer, Merianne R. and Garnett, Matthew F. and "
    "Mini{\\~n}o, Arialdi M.}, title = {Drug Overdose Deaths in the United States, 2002--2022}, "
    "institution = {National Center for Health Statistics}, year = {2024}, "
    "doi = {10.15620/cdc:135849}}"
)
ANNOTATIONS = [
    ("surged to 79,770 in 2022", "claim", "disputed", "CDC counts all overdose deaths."),
    ("5 percent of the world's population", "claim", "unverified", ""),
    ("the leading cause of death in the U.S. for people aged 18-45", "evidence", "supported", ""),
    ("root cause lies entirely within the U.S. itself", "question", "unverified", "Whose view?"),
]


def main(out_dir: str = "docs/screenshots") -> int:
    out = ROOT / out_dir
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "library.sqlite"
        seed = SHOTS[0][1]
        for quote, kind, status, note in ANNOTATIONS:
            cmd = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "annotate", str(seed)]
            cmd += ["--quote", quote, "--kind", kind, "--status", status, "--note", note]
            cmd += ["--set", "Fentanyl article check"]
            if status == "disputed":
                cmd += ["--cite", CDC_REPORT, "--stance", "refutes", "--locator", "fig. 1"]
            result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                print(f"error: annotate: {result.stderr.strip()}", file=sys.stderr)
                return 1
        scanned = _scan(SCAN_OF, Path(tmp) / SCANNED)
        cmd = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "annotate", str(scanned)]
        cmd += ["--quote", "The round pegs in the square holes.", "--kind", "claim"]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            print(f"error: annotate the scan: {result.stderr.strip()}", file=sys.stderr)
            return 1
        for name, doc in SHOTS:
            doc = scanned if doc == SCANNED else doc
            cmd = [sys.executable, str(ROOT / "main.py"), "--db", str(db)]
            cmd += ["--screenshot", str(out / name), "--size", "1280x800"]
            if doc is not None:
                cmd.append(str(doc))
            result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                print(f"error: {name}: {result.stderr.strip()}", file=sys.stderr)
                return 1
            print(out / name)
        cmd = [sys.executable, "-m", "tools.shot_selected", str(db), str(seed)]
        cmd.append(str(out / "claim-with-sources.png"))
        result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            print(f"error: claim-with-sources.png: {result.stderr.strip()}", file=sys.stderr)
            return 1
        print(out / "claim-with-sources.png")
        cmd = [sys.executable, "-m", "tools.shot_seen_before", str(Path(tmp) / "seen.sqlite")]
        if not _run([*cmd, str(seed), str(out / "seen-before.png")], env, "seen-before.png", out):
            return 1
        cmd = [sys.executable, "-m", "tools.shot_candidates", str(db), str(seed)]
        if not _run([*cmd, str(out / "candidates.png")], env, "candidates.png", out):
            return 1
        cmd = [sys.executable, "-m", "tools.shot_shortcuts", str(db), str(out / "shortcuts.png")]
        if not _run(cmd, env, "shortcuts.png", out):
            return 1
        session = [str(SHOTS[1][1]), str(seed), str(SHOTS[2][1])]
        cmd = [sys.executable, "-m", "tools.shot_session", str(db), str(out / "session.png")]
        if not _run([*cmd, *session], env, "session.png", out):
            return 1
        cmd = [sys.executable, "-m", "tools.shot_reading", str(db), str(out / "reading.png")]
        result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            print(f"error: reading.png: {result.stderr.strip()}", file=sys.stderr)
            return 1
        print(out / "reading.png")
        cmd = [sys.executable, "-m", "tools.shot_orphan", str(out / "orphan-candidates.png")]
        result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            print(f"error: orphan-candidates.png: {result.stderr.strip()}", file=sys.stderr)
            return 1
        print(out / "orphan-candidates.png")
        # Last: it merges a colleague's changed copy into this library.
        cmd = [sys.executable, "-m", "tools.shot_team", str(db), str(seed), str(out)]
        result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            print(f"error: team shots: {result.stderr.strip()}", file=sys.stderr)
            return 1
        print(result.stdout, end="")
    return 0


def _run(cmd: list[str], env: dict[str, str], name: str, out: Path) -> bool:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        print(f"error: {name}: {result.stderr.strip()}", file=sys.stderr)
        return False
    print(out / name)
    return True


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
