"""Fit reader.claims' weights and threshold on the TRAINING split only: `python -m bench.claims_fit
[PATH]` (PATH as for bench.claims_quality). Prints the WEIGHTS and THRESHOLD to paste into
reader/claims.py. The test split is never read here.

A logistic regression over `reader.claims.features` (a few dozen cues), the two classes weighed
equally, L2-regularised, fitted by full-batch Adam: plain Python, as the features are few. The
threshold is the one of THRESHOLDS with the best F1 in 5-fold cross-validation on the training
split, counted as if the classes were equally many (the cost of a miss and of a false alarm
alike, whatever the share of check-worthy sentences a document has).
"""

from __future__ import annotations

import math
import random
import sys
from collections import defaultdict

from bench.claims_quality import data_path, load

THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55)
EPOCHS = 400
L2 = 1e-3
STEP = 0.05


def fit(rows: list[tuple[dict[str, float], int]]) -> dict[str, float]:
    labels = [y for _, y in rows]
    n, positives = len(labels), sum(labels)
    weigh = {1: n / (2 * positives), 0: n / (2 * (n - positives))}
    names = sorted({k for f, _ in rows for k in f} | {"bias"})
    w: dict[str, float] = defaultdict(float)
    m: dict[str, float] = defaultdict(float)
    v: dict[str, float] = defaultdict(float)
    for step in range(1, EPOCHS + 1):
        grad: dict[str, float] = defaultdict(float)
        for found, y in rows:
            z = w["bias"] + sum(w[k] * x for k, x in found.items())
            error = (1 / (1 + math.exp(-z)) - y) * weigh[y]
            grad["bias"] += error
            for k, x in found.items():
                grad[k] += error * x
        for k in names:
            g = grad[k] / n + (L2 * w[k] if k != "bias" else 0.0)
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            m_hat, v_hat = m[k] / (1 - 0.9**step), v[k] / (1 - 0.999**step)
            w[k] -= STEP * m_hat / (math.sqrt(v_hat) + 1e-8)
    return {k: w[k] for k in names}


def balanced_f1(counts: list[int]) -> float:
    tp, fp, fn, tn = counts
    recall = tp / (tp + fn) if tp + fn else 0.0
    alarms = fp / (fp + tn) if fp + tn else 0.0
    precision = recall / (recall + alarms) if recall + alarms else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main(argv: list[str]) -> int:
    from reader import claims

    train = load("train", data_path(argv))
    if train is None:
        print("error: no training split found (see bench/claims_quality.py)", file=sys.stderr)
        return 1
    random.Random(0).shuffle(train)
    rows = [(claims.features(s)[0], y) for s, y in train]
    counts = {t: [0, 0, 0, 0] for t in THRESHOLDS}
    folds = 5
    for fold in range(folds):
        weights = fit([r for i, r in enumerate(rows) if i % folds != fold])
        claims.WEIGHTS.clear()
        claims.WEIGHTS.update(weights)
        for i, (sentence, y) in enumerate(train):
            if i % folds != fold:
                continue
            for t in THRESHOLDS:
                proposed = bool(claims.candidates(sentence, t))
                counts[t][0 if proposed and y else 1 if proposed else 2 if y else 3] += 1
    for t in THRESHOLDS:
        f1 = balanced_f1(counts[t])
        print(f"# threshold {t}: cross-validated F1 (classes weighed equally) {f1:.3f}")
    best = max(THRESHOLDS, key=lambda t: (round(balanced_f1(counts[t]), 3), t))
    weights = fit(rows)
    print("WEIGHTS: dict[str, float] = {")
    for name in ["bias"] + sorted(
        (k for k in weights if k != "bias"), key=lambda k: -abs(weights[k])
    ):
        print(f'    "{name}": {weights[name]:.2f},')
    print("}")
    print(f"THRESHOLD = {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
