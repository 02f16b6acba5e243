"""Article extraction: our pipeline against each extractor alone, on pages with expected output.

Pages: the 21 corpus pages (`corpus/html`: 13 of Mozilla Readability's test pages with Firefox
Reader View's output, 8 of the article-extraction-benchmark with `articleBody`) and the 116 pages
of `extraction-pages/`. The extraction pages are split in two by a hash of their names: the
pipeline was developed looking only at the "dev" half; the "held" half was not looked at while
tuning. All of them are reported, each half on its own too.

Extractors, all computed in this run:
  ours            `reader.documents.article.load_article` (what `claim-reader extract` prints)
  readability     readability-lxml alone: `Document(html).summary()`
  trafilatura     trafilatura alone: `bare_extraction(html)` with tables, without comments
  readability.js  Mozilla's Readability.js under node + jsdom (installed by `make bench` into
                  bench/out/node; skipped with a note if npm or node are missing). The
                  extraction pages' expected output *is* Readability.js's (an older version), so
                  on those pages it is the reference rather than a competitor.
Quality: mean token F1 against the expected text (tests/scoring.py: words; CJK bigrams).
Metadata: share of pages whose title / byline / date is right, over the pages whose expected
metadata has that field (corpus and extraction pages with expected-metadata.json).
Speed: whole processes, summed over the corpus pages: `python -m reader extract PAGE` against a
process that imports readability-lxml and prints `Document(html).summary()` — goal ≤ 1.5×.

`python -m bench.extraction --pages` prints the per-page table (for development).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import CORPUS, PYTHON, ROOT, Result, child_env

SHARED = CORPUS.parent
EXTRACTION_PAGES = SHARED / "extraction-pages"
NODE_MODULES = ROOT / "bench" / "out" / "node" / "node_modules"
READABILITY_JS = ROOT / "bench" / "readability_js.mjs"
EXTRACTORS = ("ours", "readability", "trafilatura", "readability.js")
FIELDS = ("title", "byline", "date")
SPEED_GOAL = 1.5


@dataclass
class Page:
    id: str
    path: Path
    url: str
    truth: str
    group: str  # corpus | dev | held
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Output:
    text: str = ""
    title: str = ""
    byline: str = ""
    date: str = ""


def _split(name: str) -> str:
    """Half of the extraction pages for development, half held out, fixed by name."""
    return "dev" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "held"


def _readability_page(folder: Path, page_id: str, group: str) -> Page:
    import lxml.html

    expected = (folder / "expected.html").read_bytes().decode("utf-8")
    truth = lxml.html.fromstring(expected).text_content() if expected.strip() else ""
    meta: dict[str, str] = {}
    meta_file = folder / "expected-metadata.json"
    if meta_file.exists():
        raw = json.loads(meta_file.read_text("utf-8"))
        meta = {
            "title": raw.get("title") or "",
            "byline": raw.get("byline") or "",
            "date": raw.get("publishedTime") or "",
        }
    return Page(page_id, folder / "source.html", "", truth, group, meta)


def pages() -> list[Page]:
    out: list[Page] = []
    html = CORPUS / "html"
    if html.is_dir():
        for folder in sorted(p for p in (html / "readability").iterdir() if p.is_dir()):
            out.append(_readability_page(folder, f"readability/{folder.name}", "corpus"))
        for path in sorted((html / "aeb").glob("*.html")):
            data = json.loads(path.with_name(path.stem + ".ground-truth.json").read_text("utf-8"))
            truth = next(iter(data.values()))
            out.append(
                Page(f"aeb/{path.name[:8]}", path, truth.get("url", ""), truth["articleBody"],
                     "corpus")
            )
    if EXTRACTION_PAGES.is_dir():
        for folder in sorted(p for p in EXTRACTION_PAGES.iterdir() if p.is_dir()):
            if (folder / "source.html").exists() and (folder / "expected.html").exists():
                out.append(_readability_page(folder, folder.name, _split(folder.name)))
    return out


# --- the extractors --------------------------------------------------------------------------


def _ours(page: Page) -> Output:
    from reader.documents import DocumentError
    from reader.documents.article import load_article
    from reader.model import DocumentKind

    try:
        doc = load_article(page.path.read_bytes(), DocumentKind.HTML, str(page.path), url=page.url)
    except DocumentError:
        return Output()
    m = doc.metadata
    return Output(doc.text, m.title, m.author, m.published)


def _readability(page: Page) -> Output:
    import lxml.html
    from readability import Document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = Document(page.path.read_bytes(), url=page.url or None)
            summary = doc.summary(html_partial=True)
            text = lxml.html.fromstring(summary).text_content() if summary.strip() else ""
            byline = doc.author() if hasattr(doc, "author") else ""
            return Output(text, doc.short_title() or "", byline or "", "")
        except Exception:  # noqa: BLE001 - readability raises bare Exceptions on odd pages
            return Output()


def _trafilatura(page: Page) -> Output:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = trafilatura.bare_extraction(
                page.path.read_bytes(),
                url=page.url or None,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
            )
        except Exception:  # noqa: BLE001 - a failure scores as an empty extraction
            return Output()
    if doc is None:
        return Output()
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
    return Output(get("text") or "", get("title") or "", get("author") or "", get("date") or "")


def readability_js_ready() -> str:
    """"" when Readability.js can run, else why not."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_MODULES / "@mozilla" / "readability").is_dir():
        return "npm packages not installed (make bench installs them; npm may be unreachable)"
    return ""


def _readability_js(batch: list[Page]) -> dict[str, Output]:
    env = dict(os.environ, NODE_PATH=str(NODE_MODULES))
    proc = subprocess.run(
        ["node", str(READABILITY_JS)],
        input=json.dumps([[str(p.path), p.url] for p in batch]),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    by_path = {str(p.path): p.id for p in batch}
    out: dict[str, Output] = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        out[by_path[row["path"]]] = Output(
            row["text"], row["title"], row["byline"], row["published"]
        )
    return out


# --- scoring ---------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def field_right(name: str, got: str, want: str) -> bool:
    got, want = _norm(got), _norm(want)
    if name == "date":
        return got[:10] == want[:10]
    if name == "byline":
        for prefix in ("by ", "von ", "par "):
            got, want = got.removeprefix(prefix), want.removeprefix(prefix)
        return bool(got) and (got == want or (len(got) >= 4 and (got in want or want in got)))
    return got == want


def evaluate(selected: list[Page], names: tuple[str, ...]) -> dict[str, dict[str, Output]]:
    sys.path.insert(0, str(ROOT))
    runners = {"ours": _ours, "readability": _readability, "trafilatura": _trafilatura}
    outputs: dict[str, dict[str, Output]] = {}
    for name in names:
        if name == "readability.js":
            outputs[name] = _readability_js(selected)
        else:
            fn = runners[name]
            outputs[name] = {p.id: fn(p) for p in selected}
    return outputs


def _f1(out: Output | None, page: Page) -> float:
    from tests.scoring import score

    return score(out.text if out else "", page.truth).f1


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


# --- speed -----------------------------------------------------------------------------------

_READABILITY_ALONE = (
    "import sys\nfrom readability import Document\n"
    "print(Document(open(sys.argv[1], 'rb').read()).summary())\n"
)


def _process_seconds(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def speed(corpus: list[Page], repeats: int = 3) -> tuple[float, float]:
    """Seconds summed over the pages (median of `repeats` per page): ours, readability alone."""
    import statistics

    ours = alone = 0.0
    for page in corpus:
        a = [_process_seconds([PYTHON, "-m", "reader", "extract", str(page.path)])
             for _ in range(repeats)]
        b = [_process_seconds([PYTHON, "-c", _READABILITY_ALONE, str(page.path)])
             for _ in range(repeats)]
        ours += statistics.median(a)
        alone += statistics.median(b)
    return ours, alone


# --- the report ------------------------------------------------------------------------------


def run() -> list[Result]:
    selected = pages()
    if not selected:
        print(f"  skipped: no pages under {SHARED}")
        return []
    why_not = readability_js_ready()
    names = EXTRACTORS if not why_not else EXTRACTORS[:3]
    if why_not:
        print(f"  Readability.js not run: {why_not}")
    outputs = evaluate(selected, names)
    groups = {
        "corpus": [p for p in selected if p.group == "corpus"],
        "  aeb (own truth)": [p for p in selected if p.id.startswith("aeb/")],
        "extraction-pages": [p for p in selected if p.group != "corpus"],
        "  dev half": [p for p in selected if p.group == "dev"],
        "  held half": [p for p in selected if p.group == "held"],
        "all": selected,
    }
    print(f"  mean token F1 ({len(selected)} pages)")
    print(f"  {'pages':<22}{'n':>4} " + " ".join(f"{n:>15}" for n in names))
    results: list[Result] = []
    for label, group in groups.items():
        means = {n: _mean([_f1(outputs[n].get(p.id), p) for p in group]) for n in names}
        print(f"  {label:<22}{len(group):>4} " + " ".join(f"{means[n]:>15.3f}" for n in names))
        if label.strip() in ("corpus", "extraction-pages", "all"):
            best_other = max(means[n] for n in names if n != "ours")
            # The limit is a perfect extraction (F1 1); the note names the best one alone.
            results.append(
                Result(f"extraction.f1_{label.strip().split('-')[0]}", means["ours"], "F1",
                       limit=1.0, note=f"best extractor alone {best_other:.3f}")
            )
    low = [(p.id, _f1(outputs["ours"].get(p.id), p)) for p in groups["corpus"]]
    worst = min(low, key=lambda x: x[1]) if low else ("", float("nan"))
    print(f"  lowest corpus page (ours): {worst[0]} {worst[1]:.3f}")

    with_meta = [p for p in selected if p.meta]
    print(f"  metadata right (pages with that field expected, of {len(with_meta)})")
    print(f"  {'field':<22}{'n':>4} " + " ".join(f"{n:>15}" for n in names))
    for fname in FIELDS:
        having = [p for p in with_meta if p.meta.get(fname)]
        share = {
            n: _mean([
                float(field_right(fname, getattr(outputs[n].get(p.id) or Output(), fname),
                                  p.meta[fname]))
                for p in having
            ])
            for n in names
        }
        print(f"  {fname:<22}{len(having):>4} " + " ".join(f"{share[n]:>15.2f}" for n in names))
        results.append(
            Result(f"extraction.meta_{fname}", share["ours"], "share", limit=1.0,
                   note=f"trafilatura {share['trafilatura']:.2f}, readability "
                        f"{share['readability']:.2f}")
        )

    ours_s, alone_s = speed(groups["corpus"])
    print(
        f"  whole processes over {len(groups['corpus'])} corpus pages: claim-reader extract "
        f"{ours_s:.2f} s, readability-lxml alone {alone_s:.2f} s"
    )
    results.append(
        Result("extraction.extract_processes", ours_s * 1000, "ms", limit=alone_s * 1000,
               goal_ratio=SPEED_GOAL)
    )
    return results


def _page_table(group: str) -> None:
    selected = [p for p in pages() if group == "all" or p.group == group]
    names = EXTRACTORS if not readability_js_ready() else EXTRACTORS[:3]
    outputs = evaluate(selected, names)
    print(f"{'page':<40} " + " ".join(f"{n[:12]:>12}" for n in names))
    for p in selected:
        print(f"{p.id[:40]:<40} " + " ".join(
            f"{_f1(outputs[n].get(p.id), p):>12.3f}" for n in names))
    for n in names:
        print(n, f"{_mean([_f1(outputs[n].get(p.id), p) for p in selected]):.4f}")


if __name__ == "__main__":
    if "--pages" in sys.argv:
        _page_table(sys.argv[-1] if sys.argv[-1] != "--pages" else "corpus")
    else:
        for r in run():
            print(r.line())
