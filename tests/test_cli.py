"""`claim-reader extract` exactly as the contract says, run as a user would: a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CORPUS, ROOT, SEED


def run(*args: str, env_db=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_extract_prints_normalized_text_of_the_seed_article():
    result = run("extract", str(SEED))
    assert result.returncode == 0, result.stderr
    assert "the death toll from opioids surged to 79,770 in 2022" in result.stdout
    assert result.stderr == ""


def test_extract_json_has_the_contract_fields():
    pdf = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
    result = run("extract", str(pdf), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["sha256", "kind", "title", "author", "published", "pages", "text"]
    assert payload["kind"] == "pdf"
    assert payload["pages"] == 4
    assert len(payload["sha256"]) == 64
    assert len(payload["text"]) > 1000


def test_extract_is_deterministic():
    page = CORPUS / "html" / "readability" / "bbc-1" / "source.html"
    first, second = run("extract", str(page)), run("extract", str(page))
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_python_m_reader_behaves_like_main_py():
    result = subprocess.run(
        [sys.executable, "-m", "reader", "extract", str(SEED)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert result.stdout == run("extract", str(SEED)).stdout


ENCRYPTED = CORPUS / "pdf" / "libreoffice-writer-password.pdf"


def test_extract_encrypted_pdf_without_password_names_the_encryption():
    result = run("extract", str(ENCRYPTED))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "encrypted" in lines[0] and "--password" in lines[0]


def test_extract_encrypted_pdf_with_wrong_and_right_password():
    wrong = run("extract", str(ENCRYPTED), "--password", "nope")
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("error: ") and "wrong" in wrong.stderr.lower()
    right = run("extract", str(ENCRYPTED), "--password", "openpassword")
    assert right.returncode == 0, right.stderr
    assert right.stdout.strip()


@pytest.mark.parametrize(
    "name, needle",
    [
        ("missing.pdf", "does not exist"),
        ("unreadablemetadata", "cannot be read"),
        ("binary.bin", "not a document"),
        ("empty.txt", "empty"),
    ],
)
def test_extract_bad_input_gives_one_error_line(tmp_path, name, needle):
    if name == "unreadablemetadata":
        path = CORPUS / "pdf" / "unreadablemetadata.pdf"
    else:
        path = tmp_path / name
        if name == "binary.bin":
            path.write_bytes(bytes(range(256)) * 64)
        elif name == "empty.txt":
            path.write_bytes(b"")
    result = run("extract", str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2():
    result = run("extract")
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_screenshot_writes_a_png(tmp_path):
    out = tmp_path / "shot.png"
    env_db = tmp_path / "lib.sqlite"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            str(env_db),
            "--screenshot",
            str(out),
            "--size",
            "900x600",
            str(CORPUS / "pdf" / "pdflatex-4-pages.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
    assert env_db.exists()  # the document was recorded in the library given by --db


def cli(db, *args: str) -> subprocess.CompletedProcess[str]:
    return run("--db", str(db), *args)


def test_annotate_and_list_the_seed_article(tmp_path):
    db = tmp_path / "lib.sqlite"
    result = cli(
        db,
        "annotate",
        str(SEED),
        "--quote",
        "surged to 79,770 in 2022",
        "--kind",
        "claim",
        "--status",
        "disputed",
        "--note",
        "CDC: 107,941 overdose deaths",
        "--tag",
        "opioids",
        "--tag",
        "CDC",
        "--claimant",
        "CGTN",
    )
    assert result.returncode == 0, result.stderr
    annotation_id = result.stdout.strip()
    assert len(annotation_id) == 36
    listed = cli(db, "list", "--document", str(SEED), "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["id"] == annotation_id
    assert row["anchor_state"] == "exact"
    assert row["quote"] == "surged to 79,770 in 2022"
    text = run("extract", str(SEED)).stdout
    assert text[row["start"] : row["end"]] == row["quote"]
    assert row["page"] is None
    assert (row["kind"], row["status"], row["note"]) == (
        "claim",
        "disputed",
        "CDC: 107,941 overdose deaths",
    )
    assert row["tags"] == ["CDC", "opioids"]
    plain = cli(db, "list")
    assert annotation_id in plain.stdout and "surged to 79,770" in plain.stdout


def test_annotate_second_occurrence_and_pdf_page(tmp_path):
    db = tmp_path / "lib.sqlite"
    first = cli(db, "annotate", str(SEED), "--quote", "fentanyl", "--occurrence", "2")
    assert first.returncode == 0, first.stderr
    (row,) = json.loads(cli(db, "list", "--json").stdout)
    text = run("extract", str(SEED)).stdout
    assert row["start"] == text.index("fentanyl", text.index("fentanyl") + 1)
    pdf = CORPUS / "pdf" / "pdflatex-outline.pdf"
    pages = json.loads(run("extract", str(pdf), "--json").stdout)["text"].split("\n\n")
    # A word whose first occurrence is on a later page: its annotation must say that page.
    number, word = next(
        (n, w)
        for n, page in enumerate(pages[1:], start=2)
        for w in page.split()
        if w.isalpha() and len(w) > 5 and all(w not in p for p in pages[: n - 1])
    )
    added = cli(db, "annotate", str(pdf), "--quote", word, "--kind", "evidence")
    assert added.returncode == 0, added.stderr
    rows = json.loads(cli(db, "list", "--document", str(pdf), "--json").stdout)
    assert rows[0]["page"] == number


def test_annotate_missing_quote_saves_nothing(tmp_path):
    db = tmp_path / "lib.sqlite"
    result = cli(db, "annotate", str(SEED), "--quote", "a sentence nobody wrote")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "does not occur" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(cli(db, "list", "--json").stdout) == []


def test_list_reanchors_after_the_file_changed(tmp_path):
    db = tmp_path / "lib.sqlite"
    story = tmp_path / "story.txt"
    story.write_text("Intro.\n\nThe toll surged to 79,770 in 2022, officials said.\n")
    assert cli(db, "annotate", str(story), "--quote", "surged to 79,770 in 2022").returncode == 0
    assert cli(db, "annotate", str(story), "--quote", "officials said").returncode == 0
    story.write_text("Intro.\n\nA new paragraph.\n\nThe toll surged to 79,770 in 2022.\n")
    rows = json.loads(cli(db, "list", "--document", str(story), "--json").stdout)
    states = {r["quote"]: r["anchor_state"] for r in rows}
    assert states == {"surged to 79,770 in 2022": "exact", "officials said": "orphan"}
    moved = next(r for r in rows if r["anchor_state"] == "exact")
    assert story.read_text()[moved["start"] : moved["end"]] == "surged to 79,770 in 2022"


def test_sets_from_the_command_line(tmp_path):
    db = tmp_path / "lib.sqlite"
    a = cli(db, "annotate", str(SEED), "--quote", "surged to 79,770", "--set", "Fentanyl check")
    b = cli(
        db,
        "annotate",
        str(SEED),
        "--quote",
        "5 percent",
        "--set",
        "fentanyl CHECK",
        "--set",
        "Numbers",
    )
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    sets = json.loads(cli(db, "sets", "--json").stdout)
    assert [(s["name"], s["count"]) for s in sets] == [("Fentanyl check", 2), ("Numbers", 1)]
    rows = json.loads(cli(db, "list", "--set", "numbers", "--json").stdout)
    assert [r["id"] for r in rows] == [b.stdout.strip()]
    assert rows[0]["sets"] == ["Fentanyl check", "Numbers"]
    missing = cli(db, "list", "--set", "Nope")
    assert missing.returncode == 1 and missing.stderr.startswith("error: ")
