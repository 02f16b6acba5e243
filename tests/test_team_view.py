"""`claim-reader serve`: the real server on a free loopback port, driven by a real headless
Chromium (Debian's chromium + chromium-driver) through Selenium, as a colleague would use it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from reader.library import Library
from reader.model import ClaimStatus, Source, Stance

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for name in (path, Path(f"{path}-wal")):
        if name.exists():
            digest.update(name.read_bytes())
    return digest.hexdigest()


def status_of(request: str | urllib.request.Request) -> int:
    """The HTTP status of a GET (the answer closed, error or not)."""
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


class Server:
    """`claim-reader serve` in its own process; ready once uvicorn says it is listening."""

    def __init__(self, db: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--db", str(db), "serve", "--port",
             str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )  # fmt: skip
        self.log: list[str] = []
        for line in self.process.stderr:  # blocks until the server has bound its port
            self.log.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            raise AssertionError("the server did not start:\n" + "".join(self.log))

    def stop(self) -> tuple[int, str]:
        """Ctrl+C, as a user at the terminal: (exit status, what it printed on stderr)."""
        self.process.send_signal(signal.SIGINT)
        _out, err = self.process.communicate(timeout=60)
        return self.process.returncode, "".join(self.log) + err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def desk(tmp_path):
    """A library with a refuted claim citing a source, a supported one, and a comment."""
    path = tmp_path / "data" / "library.sqlite"
    lib = Library(path)
    try:
        lib.author = "Ana Checker"
        opened = lib.open_path(SEED)
        refuted = lib.highlight(
            opened, *lib.find_quote(opened, "79,770"), status=ClaimStatus.REFUTED
        )
        source = lib.add_source(
            Source(
                id=0,
                title="Provisional drug overdose death counts",
                url="https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm",
            )
        )
        lib.cite(refuted.id, source.id, Stance.REFUTES, locator="table 1")
        lib.highlight(opened, *lib.find_quote(opened, "surged"), status=ClaimStatus.SUPPORTED)
    finally:
        lib.close()
    return path, refuted.id  # fmt: skip


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("Debian's chromium and chromium-driver are needed (make sysdeps)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):  # fmt: skip
        options.add_argument(flag)
    # The driver is given, so Selenium never looks for (or downloads) one.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def test_a_colleague_reads_claims_searches_and_follows_a_claim_to_its_sources(desk, browser):
    from selenium.webdriver.common.by import By

    db, refuted_id = desk
    before = file_hash(db)
    server = Server(db)
    try:
        # The claims, by name and description.
        browser.get(f"{server.url}/library/annotations?kind=claim")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "Claims and annotations" in browser.find_element(By.TAG_NAME, "h1").text
        assert "Every highlighted passage" in body
        assert "79,770" in body and "surged" in body and "refuted" in body
        # A search over the claims' words.
        browser.get(f"{server.url}/library/annotations?_search=surged")
        rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        assert len(rows) == 1 and "surged" in rows[0].text
        # A claim links to its document (by title) …
        browser.get(f"{server.url}/library/annotations?kind=claim&status=refuted")
        [row] = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        row.find_element(By.CSS_SELECTOR, "a[href*='/library/documents/']").click()
        assert SEED.stem in browser.find_element(By.TAG_NAME, "body").text
        # … and, from its own page through its citations, to its sources.
        browser.get(f"{server.url}/library/annotations/{refuted_id}")
        browser.find_element(By.CSS_SELECTOR, "a[href*='citations?annotation_id=']").click()
        assert "refutes" in browser.find_element(By.TAG_NAME, "body").text
        browser.find_element(By.PARTIAL_LINK_TEXT, "Provisional drug overdose death counts").click()
        assert "cdc.gov" in browser.find_element(By.TAG_NAME, "body").text
        # The canned query a desk asks for: refuted and misleading claims.
        browser.get(f"{server.url}/library/refuted_and_misleading")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "79,770" in body and "surged" not in body
        # Sources are searchable too.
        browser.get(f"{server.url}/library/sources?_search=overdose")
        assert "Provisional drug overdose" in browser.find_element(By.TAG_NAME, "body").text
        # A write through SQL is refused…
        browser.get(f"{server.url}/library?sql=UPDATE+annotations+SET+note+%3D+%27hacked%27")
        assert "must be a SELECT" in browser.find_element(By.TAG_NAME, "body").text
        assert status_of(f"{server.url}/library.json?sql=DELETE+FROM+annotations") == 400
    finally:
        status, log = server.stop()
    # … and changes nothing; Ctrl+C stopped the server cleanly.
    assert file_hash(db) == before
    lib = Library(db)
    try:
        assert {a.note for a in lib.all_annotations()} == {""}
    finally:
        lib.close()
    assert status == 0, log
    assert "Traceback" not in log and "Shutting down" in log


def test_with_a_password_every_page_and_json_endpoint_needs_it(desk):
    db, _ = desk
    server = Server(db, "--password", "s3cret desk")
    try:
        for path in ("/", "/library", "/library/annotations.json", "/-/metadata.json"):
            assert status_of(server.url + path) == 401, path
        token = base64.b64encode(b"team:s3cret desk").decode()
        request = urllib.request.Request(
            f"{server.url}/library/annotations.json?_shape=array",
            headers={"Authorization": f"Basic {token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            rows = json.loads(answer.read())
        assert sorted(r["quote"] for r in rows) == ["79,770", "surged"]
        wrong = urllib.request.Request(
            f"{server.url}/library.json",
            headers={"Authorization": f"Basic {base64.b64encode(b'team:guess').decode()}"},
        )
        assert status_of(wrong) == 401
    finally:
        status, log = server.stop()
    assert status == 0, log


def test_beyond_loopback_without_a_password_is_refused(desk):
    db, _ = desk
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "--password" in result.stderr


def test_a_port_in_use_is_one_error_line(desk):
    db, _ = desk
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(db), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: The team view cannot listen on 127.0.0.1:{port}")
