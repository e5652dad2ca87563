#!/usr/bin/env python3
"""Generate Tests/DuetCoreTests/Fixtures/alttest.json.

Reference values for the alt-test's small-sample path (Sources/DuetCore/Quality/SignedRank.swift and
AltTest.swift). The alt-test's authors (Calderon, Reichart & Dror, ACL 2025, FAQ "What if I have fewer than
30 annotated instances per annotator?") prescribe a non-parametric test, the Wilcoxon signed-rank test,
instead of the t-test when a person has fewer than 30 items. Duet runs it exactly: the signed-rank
statistic's null distribution with mid-ranks for ties, every sign pattern counted.

  - signed_rank: scipy.stats.wilcoxon(x, alternative="less", method=...) with
      method="exact" on samples without ties (scipy's own exact distribution, any n), and
      method=PermutationMethod(n_resamples=inf) on samples with ties (every one of the 2^n sign patterns;
      scipy takes minutes past n = 14, so these stop at 13).
  - alt_test_small: one alt-test; each person's d_i = W^h_i - W^f_i as in AltTest.swift; a person with 30
      items or more by scipy.stats.ttest_1samp(d, popmean=eps, alternative="less") (the authors' code), fewer
      by scipy.stats.wilcoxon(d - eps, alternative="less") (method "auto": every sign pattern up to 13
      items); fewer than 5 items (no sign pattern reaches p <= 0.05: 0.5^4 > 0.05) is not tested. The
      Benjamini-Yekutieli decisions by scipy.stats.false_discovery_control(p, method="by") <= alpha over
      the people tested.

Setup:  python3 -m venv /tmp/ppivenv && /tmp/ppivenv/bin/pip install scipy
Run:    /tmp/ppivenv/bin/python scripts/alttest-fixtures.py
Every sample is drawn from numpy's default_rng with a fixed seed, so a rerun writes the same file.
"""
import math
import os

import numpy as np
import scipy
from scipy import stats

from fixturefile import alt_test_differences, write

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "DuetCoreTests", "Fixtures", "alttest.json")
ALPHA = 0.05
T_TEST_ITEMS = 30
MIN_ITEMS = math.ceil(math.log2(1 / ALPHA))  # 5: the fewest items whose smallest exact p-value is <= alpha


def signed_rank_cases():
    cases = []
    rng = np.random.default_rng(11)
    # No ties: scipy's exact distribution.
    for n in [6, 12, 25, 29, 40]:
        x = rng.normal(-0.3, 1, n)
        r = stats.wilcoxon(x, alternative="less", method="exact")
        cases.append({"x": x.tolist(), "statistic": float(r.statistic), "p": float(r.pvalue), "method": "exact"})
    # Ties as the alt-test makes them: x = d - eps with d in {-1, 0, 1}; eps = 0.5 ties |-eps| with |1 - eps|.
    every = stats.PermutationMethod(n_resamples=np.inf)
    for n, eps, weights in [(5, 0.2, [0.5, 0.5, 0.0]), (8, 0.1, [0.3, 0.5, 0.2]), (10, 0.5, [0.2, 0.5, 0.3]),
                            (12, 0.15, [0.25, 0.6, 0.15]), (13, 0.2, [0.1, 0.6, 0.3]), (13, 0.05, [0.4, 0.5, 0.1])]:
        d = rng.choice([-1.0, 0.0, 1.0], n, p=weights)
        x = d - eps
        r = stats.wilcoxon(x, alternative="less", method=every)
        cases.append({"x": x.tolist(), "statistic": float(r.statistic), "p": float(r.pvalue), "method": "permutation"})
    return cases


def alt_test_small():
    """Forty items, all labeled by ana and gus (40 items each: a t-test), each of five others on a few of them
    (13 items or fewer, where scipy counts every sign pattern)."""
    rng = np.random.default_rng(12)
    skill = {"ana": 0.85, "gus": 0.7, "ben": 0.6, "cleo": 0.8, "dev": 0.7, "eve": 0.75, "fay": 0.8}
    counts = {"ben": 13, "cleo": 12, "dev": 9, "eve": 6, "fay": 3}
    labels = ["a", "b", "c"]
    n_items = 40
    truths = rng.integers(3, size=n_items)

    def answer(truth, p):
        return labels[truth] if rng.uniform() < p else labels[(truth + 1 + rng.integers(2)) % 3]

    items = [{"machine": answer(t, 0.8), "people": {j: answer(t, skill[j]) for j in ["ana", "gus"]}} for t in truths]
    for j, k in counts.items():
        for i in rng.choice(n_items, k, replace=False):
            items[i]["people"][j] = answer(truths[i], skill[j])
    eps = 0.15
    result = []
    for j in ["ana", "gus"] + list(counts):
        d = alt_test_differences(items, j)
        person = {"name": j, "items": len(d)}
        if len(d) >= T_TEST_ITEMS:
            r = stats.ttest_1samp(d, popmean=eps, alternative="less")
            person.update({"test": "t", "statistic": float(r.statistic), "p": float(r.pvalue)})
        elif len(d) >= MIN_ITEMS:
            r = stats.wilcoxon(np.array(d) - eps, alternative="less")
            person.update({"test": "signed_rank", "statistic": float(r.statistic), "p": float(r.pvalue)})
        result.append(person)
    tested = [r for r in result if "p" in r]
    adjusted = stats.false_discovery_control([r["p"] for r in tested], method="by")
    for r, a in zip(tested, adjusted):
        r["rejected"] = bool(a <= ALPHA)
    for r in result:
        r.setdefault("rejected", False)
    return {"epsilon": eps, "alpha": ALPHA, "items": items, "people": result}


def main():
    data = {
        "generator": "scripts/alttest-fixtures.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
        "signed_rank": signed_rank_cases(),
        "alt_test_small": alt_test_small(),
    }
    write(OUT, data)


if __name__ == "__main__":
    main()
