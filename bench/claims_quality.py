"""Candidate claims against labelled check-worthiness data: F1, precision and recall.

The data: the ClaimBuster sentences of US presidential debates (1960–2016), two classes —
check-worthy factual sentences (CFS, label 1) against the rest (NFS and UFS, label 0) — as the
ClaimBuster team split them for their own models (github.com/utaresearch/claimbuster-spotter,
data/two_class/): train.json (7,976 sentences, 25 % CFS) and test.json (702, half CFS). It is not
part of the project and is never copied into it: give its place with $CLAIM_READER_CHECKWORTHY
or `python -m bench.claims_quality PATH`, either a folder holding train.json and test.json or a
git clone of that repository (read with `git show`, no work tree needed). Without it the
benchmark says so and ends with status 0.

Scored on the TEST split only: ours is `reader.claims.candidates(sentence)` being non-empty (the
whole rule the app applies, boilerplate and question filters included), against the naive rule
"has a digit or a claim verb". The model's weights were fitted on the training split only
(`python -m bench.claims_fit`), never on the test split.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT, Result

ENV = "CLAIM_READER_CHECKWORTHY"
# Where the data was found for this project (a local snapshot of the repository named above).
DEFAULT = ROOT.parent / ".mirror" / "utaresearch+claimbuster-spotter" / "repo"
GOAL_F1 = 0.8
_CLAIM_VERB = re.compile(
    r"\b(?:said|says|say|claimed|claims|reported|reports|according|announced|showed|shows"
    r"|found|stated|told)\b",
    re.IGNORECASE,
)


def data_path(argv: list[str] | None = None) -> Path:
    given = (argv or [])[:1] or [os.environ.get(ENV, "")]
    return Path(given[0]) if given[0] else DEFAULT


def load(split: str, path: Path) -> list[tuple[str, int]] | None:
    """(sentence, label) of one split ("train" or "test"), or None when it is not there."""
    if (path / f"{split}.json").is_file():
        raw = (path / f"{split}.json").read_text(encoding="utf-8")
    elif path.is_dir():
        # A bare clone or a work tree of the repository: the file as committed.
        done = subprocess.run(
            ["git", "--git-dir", str(_git_dir(path)), "show", f"HEAD:data/two_class/{split}.json"],
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        if done.returncode != 0:
            return None
        raw = done.stdout
    else:
        return None
    return [(row["text"], int(row["label"])) for row in json.loads(raw)]


def _git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").exists() else path


def naive(sentence: str) -> bool:
    """The baseline: a digit or a claim verb."""
    return bool(re.search(r"\d", sentence) or _CLAIM_VERB.search(sentence))


def ours(sentence: str) -> bool:
    from reader.claims import candidates

    return bool(candidates(sentence))


def scores(rows: list[tuple[str, int]], rule: Callable[[str], bool]) -> tuple[float, float, float]:
    """(precision, recall, F1) of `rule` for the check-worthy class."""
    tp = fp = fn = 0
    for sentence, label in rows:
        proposed = rule(sentence)
        tp += proposed and label == 1
        fp += proposed and label == 0
        fn += (not proposed) and label == 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run(argv: list[str] | None = None) -> list[Result]:
    path = data_path(argv)
    test = load("test", path)
    if test is None:
        print(
            f"  no check-worthiness data at {path}: set ${ENV} to a folder with train.json and "
            "test.json (ClaimBuster two_class) or a clone of utaresearch/claimbuster-spotter"
        )
        return []
    positives = sum(label for _, label in test)
    print(f"  test split: {len(test)} sentences, {positives} check-worthy ({path})")
    results = []
    for name, rule in (("ours", ours), ("naive", naive)):
        precision, recall, f1 = scores(test, rule)
        verdict = (
            f"goal F1 ≥ {GOAL_F1}: {'met' if f1 >= GOAL_F1 else 'NOT met'}"
            if name == "ours"
            else ""
        )
        print(f"  {name:<6} F1 {f1:.3f}  precision {precision:.3f}  recall {recall:.3f}  {verdict}")
        note = f"precision {precision:.3f}, recall {recall:.3f} on the test split; {verdict}"
        results.append(Result(f"claims_quality {name} F1", f1, "F1", note=note.rstrip("; ")))
    return results


if __name__ == "__main__":
    for result in run(sys.argv[1:]):
        print(result.line())
