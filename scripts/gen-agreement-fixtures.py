#!/usr/bin/env python3
"""Generate Tests/DuetCoreTests/Fixtures/agreement.json.

Reference values for Sources/DuetCore/Quality/Agreement.swift, computed with:
  - sklearn.metrics.cohen_kappa_score(y1, y2)                      (unweighted)
  - statsmodels.stats.inter_rater.fleiss_kappa(table, method="fleiss")
  - krippendorff.alpha(reliability_data, value_domain=..., level_of_measurement=...)
Percent agreement has no library reference; it is computed directly here.

Setup:  pip install scikit-learn statsmodels krippendorff numpy
Run:    python3 scripts/gen-agreement-fixtures.py
Undefined values (NaN, or the library raises) are written as null.
"""
import importlib.metadata
import json
import math
import os
import random
import warnings
from itertools import combinations

import krippendorff
import numpy as np
import sklearn
import statsmodels
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "DuetCoreTests", "Fixtures", "agreement.json")


def clean(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def sorted_labels(labels):
    """Same rule as Agreement.sortedLabels: numeric if all parse, else lexicographic."""
    labels = list(set(labels))
    try:
        nums = [(float(s), s) for s in labels]
        if all(math.isfinite(v) for v, _ in nums):
            return [s for _, s in sorted(nums)]
    except ValueError:
        pass
    return sorted(labels)


def percent(items):
    multi = [labs for labs in items.values() if len(labs) >= 2]
    if not multi:
        return None, None, 0
    allagree = sum(1 for labs in multi if len(set(labs.values())) == 1) / len(multi)
    pair = 0.0
    for labs in multi:
        vals = list(labs.values())
        ps = list(combinations(vals, 2))
        pair += sum(1 for x, y in ps if x == y) / len(ps)
    return allagree, pair / len(multi), len(multi)


def modal_raters(items):
    freq = {}
    for labs in items.values():
        if len(labs) >= 2:
            freq[len(labs)] = freq.get(len(labs), 0) + 1
    if not freq:
        return None
    return max(freq.items(), key=lambda kv: (kv[1], kv[0]))[0]


def fleiss(items):
    n = modal_raters(items)
    if n is None:
        return None
    used = [labs for labs in items.values() if len(labs) == n]
    cats = sorted(set(v for labs in used for v in labs.values()))
    table = np.array([[list(labs.values()).count(c) for c in cats] for labs in used])
    return {"raters": n, "items": len(used), "kappa": clean(fleiss_kappa(table, method="fleiss"))}


def alpha(items, annotators, level):
    ids = sorted(items)
    labels = [v for labs in items.values() for v in labs.values()]
    if level == "interval":
        try:
            code = {s: float(s) for s in set(labels)}
        except ValueError:
            return None
        domain = None  # default: np.unique of the numeric data
    else:
        order = sorted_labels(labels)
        code = {s: float(i) for i, s in enumerate(order)}
        domain = list(range(len(order)))
    data = [[code[items[i][a]] if a in items[i] else np.nan for i in ids] for a in annotators]
    try:
        return clean(krippendorff.alpha(reliability_data=np.array(data, dtype=float),
                                        value_domain=domain, level_of_measurement=level))
    except ValueError:
        return None


def pairs(items, annotators):
    out = []
    for a, b in combinations(sorted(annotators), 2):
        ids = [i for i in sorted(items) if a in items[i] and b in items[i]]
        y1 = [items[i][a] for i in ids]
        y2 = [items[i][b] for i in ids]
        k = clean(cohen_kappa_score(y1, y2, replace_undefined_by=np.nan)) if ids else None
        out.append({"a": a, "b": b, "overlap": len(ids), "kappa": k})
    return out


def case(name, annotators, rows, numeric=False):
    """rows: {item id: [label or None per annotator]}"""
    items = {i: {a: l for a, l in zip(annotators, labs) if l is not None} for i, labs in rows.items()}
    allagree, pairwise, n = percent(items)
    return {
        "name": name,
        "items": [{"id": i, "labels": items[i]} for i in sorted(items)],
        "expected": {
            "percentItems": n,
            "percentAgreement": allagree,
            "pairwiseAgreement": pairwise,
            "fleiss": fleiss(items),
            "alphaNominal": alpha(items, annotators, "nominal"),
            "alphaOrdinal": alpha(items, annotators, "ordinal"),
            "alphaInterval": alpha(items, annotators, "interval") if numeric else None,
            "pairs": pairs(items, annotators),
        },
    }


def random_rows(rng, n_items, n_ann, labels, p_missing, p_agree):
    rows = {}
    for i in range(1, n_items + 1):
        truth = rng.choice(labels)
        rows[i] = [None if rng.random() < p_missing else (truth if rng.random() < p_agree else rng.choice(labels))
                   for _ in range(n_ann)]
    return rows


def main():
    rng = random.Random(20261121)
    cases = []
    # Krippendorff's canonical example (Wikipedia / package docstring), 3 coders, missing data.
    k = [[None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
         [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
         [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4]]
    cases.append(case("krippendorff-wikipedia", ["c1", "c2", "c3"],
                      {j + 1: [None if r[j] is None else str(r[j]) for r in k] for j in range(15)}, numeric=True))
    # Two annotators, sklearn docstring example.
    y1 = ["negative", "positive", "negative", "neutral", "positive"]
    y2 = ["negative", "positive", "negative", "neutral", "negative"]
    cases.append(case("sklearn-doc", ["ann", "bob"], {i + 1: [a, b] for i, (a, b) in enumerate(zip(y1, y2))}))
    # Three annotators, full coverage, two labels.
    cases.append(case("three-binary-full", ["a", "b", "c"],
                      random_rows(rng, 12, 3, ["yes", "no"], 0.0, 0.7)))
    # Four annotators, three labels, missing values.
    cases.append(case("four-ternary-missing", ["a", "b", "c", "d"],
                      random_rows(rng, 20, 4, ["cat", "dog", "bird"], 0.25, 0.6)))
    # Five annotators, five labels, missing values.
    cases.append(case("five-five-missing", ["u1", "u2", "u3", "u4", "u5"],
                      random_rows(rng, 25, 5, ["A", "B", "C", "D", "E"], 0.3, 0.5)))
    # Ordinal 1-5 ratings (numeric labels → ordinal + interval), three raters, missing.
    cases.append(case("ordinal-ratings", ["r1", "r2", "r3"],
                      {i: [None if rng.random() < 0.2 else str(max(1, min(5, t + rng.choice([-1, 0, 0, 1]))))
                           for _ in range(3)]
                       for i, t in ((i, rng.randint(1, 5)) for i in range(1, 19))}, numeric=True))
    # Interval: decimal scores, four raters, missing.
    cases.append(case("interval-scores", ["p", "q", "r", "s"],
                      {i: [None if rng.random() < 0.15 else f"{t + rng.gauss(0, 0.8):.1f}" for _ in range(4)]
                       for i, t in ((i, rng.uniform(0, 10)) for i in range(1, 16))}, numeric=True))
    # Degenerate: one category only (κ, α undefined) plus a singleton-only item.
    cases.append(case("single-category", ["a", "b", "c"],
                      {1: ["x", "x", "x"], 2: ["x", "x", None], 3: ["x", None, None]}))
    # Mixed rater counts: Fleiss uses only the modal count.
    cases.append(case("mixed-counts", ["a", "b", "c", "d"],
                      {1: ["p", "p", "q", None], 2: ["q", "q", None, None], 3: ["p", "q", "q", "q"],
                       4: ["p", "p", "p", None], 5: [None, "q", "p", None], 6: ["q", None, "q", "q"]}))
    doc = {
        "generator": "scripts/gen-agreement-fixtures.py",
        "versions": {"sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__,
                     "krippendorff": importlib.metadata.version("krippendorff"), "numpy": np.__version__},
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
