#!/usr/bin/env python3
"""Generate Tests/DuetCoreTests/Fixtures/ppi.json.

Reference values for Sources/DuetCore/Quality/PPI.swift, StudentT.swift and AltTest.swift:
  - ppi_py.ppi_mean_pointestimate(Y, Yhat, Yhat_unlabeled)             (lam=None: power tuning, PPI++)
  - ppi_py.ppi_mean_ci(Y, Yhat, Yhat_unlabeled, alpha=0.05)             (lam=None, and lam=1: plain PPI)
  - ppi_py.ppi._calc_lam_glm(...) as ppi_mean_ci calls it               (the tuned lambda)
  - ppi_py.classical_mean_ci(Y, alpha=0.05)
  - stratified PPI: ppi_mean_pointestimate / ppi_mean_ci per stratum, combined here as
    theta = sum w_k theta_k, se = sqrt(sum w_k^2 se_k^2), se_k = (hi_k - lo_k) / (2 z), w_k = stratum share
  - scipy.stats.t.cdf; alt-test p-values by scipy.stats.ttest_1samp(d, popmean=eps, alternative="less"),
    the Benjamini-Yekutieli decisions by scipy.stats.false_discovery_control(p, method="by") <= alpha.

Setup:  python3 -m venv /tmp/ppivenv && /tmp/ppivenv/bin/pip install ppi-python   (brings numpy, scipy)
Run:    /tmp/ppivenv/bin/python scripts/ppi-fixtures.py
Every dataset is drawn from numpy's default_rng with a fixed seed, so a rerun writes the same file.
"""
import importlib.metadata
import os

import numpy as np
import scipy
from scipy import stats

from fixturefile import alt_test_differences, write
from ppi_py import classical_mean_ci, ppi_mean_ci, ppi_mean_pointestimate
from ppi_py.ppi import _calc_lam_glm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "DuetCoreTests", "Fixtures", "ppi.json")
ALPHA = 0.05
Z = stats.norm.ppf(1 - ALPHA / 2)


def tuned_lambda(Y, Yhat, Yhat_unlabeled):
    """The lambda ppi_mean_ci(lam=None) uses (same call as in ppi_py/ppi.py)."""
    theta = ppi_mean_pointestimate(Y, Yhat, Yhat_unlabeled, lam=1)
    return float(_calc_lam_glm(Y - theta, Yhat - theta, Yhat_unlabeled - theta, np.eye(1), coord=None, clip=True))


def ppi_case(name, Y, Yhat, Yhat_unlabeled):
    lo, hi = ppi_mean_ci(Y, Yhat, Yhat_unlabeled, alpha=ALPHA)
    lo1, hi1 = ppi_mean_ci(Y, Yhat, Yhat_unlabeled, alpha=ALPHA, lam=1)
    clo, chi = classical_mean_ci(Y, alpha=ALPHA)
    return {
        "name": name,
        "y": Y.tolist(), "yhat": Yhat.tolist(), "yhat_unlabeled": Yhat_unlabeled.tolist(),
        "lambda": tuned_lambda(Y, Yhat, Yhat_unlabeled),
        "estimate": float(np.squeeze(ppi_mean_pointestimate(Y, Yhat, Yhat_unlabeled))),
        "ci": [float(np.squeeze(lo)), float(np.squeeze(hi))],
        "ci_lambda1": [float(np.squeeze(lo1)), float(np.squeeze(hi1))],
        "classical_ci": [float(np.squeeze(clo)), float(np.squeeze(chi))],
    }


def ppi_cases():
    cases = []
    # Calibrated confidences: a person agrees with probability f.
    rng = np.random.default_rng(1)
    f = rng.uniform(0.5, 1, 550)
    y = (rng.uniform(size=550) < f).astype(float)
    cases.append(ppi_case("calibrated n=50 N=500", y[:50], f[:50], f[50:]))
    # Overconfident: a person agrees with probability 0.8 f + 0.1.
    rng = np.random.default_rng(2)
    f = rng.beta(8, 2, 1200)
    y = (rng.uniform(size=1200) < 0.8 * f + 0.1).astype(float)
    cases.append(ppi_case("overconfident n=200 N=1000", y[:200], f[:200], f[200:]))
    # Confidence that points the wrong way: lambda clipped to 0.
    rng = np.random.default_rng(3)
    f = rng.uniform(0.6, 1, 130)
    y = (rng.uniform(size=130) < 1.5 - f).astype(float)
    cases.append(ppi_case("misleading n=30 N=100", y[:30], f[:30], f[30:]))
    # A sharp predictor with many unaudited items: lambda clipped to 1.
    rng = np.random.default_rng(4)
    y_all = (rng.uniform(size=1580) < 0.85).astype(float)
    f = np.clip(0.3 + 0.6 * y_all + rng.normal(0, 0.02, 1580), 0, 1)
    cases.append(ppi_case("sharp n=80 N=1500", y_all[:80], f[:80], f[80:]))
    # Hard predictions (0/1), more audits than unaudited items.
    rng = np.random.default_rng(5)
    y_all = (rng.uniform(size=180) < 0.7).astype(float)
    f = np.where(rng.uniform(size=180) < 0.8, y_all, 1 - y_all)
    cases.append(ppi_case("hard n=120 N=60", y_all[:120], f[:120], f[120:]))
    return cases


def stratified_case():
    rng = np.random.default_rng(6)
    total = 1500
    f = rng.beta(6, 2, total)
    y_all = (rng.uniform(size=total) < 0.9 * f + 0.05).astype(float)
    edges = np.quantile(f, [1 / 3, 2 / 3])
    stratum = np.searchsorted(edges, f, side="right")
    # Audit more where the machine is less sure: 60, 40, 20 audits in the low, middle, high strata.
    audited = np.zeros(total, dtype=bool)
    for k, n_k in zip(range(3), [60, 40, 20]):
        idx = np.flatnonzero(stratum == k)
        audited[rng.choice(idx, n_k, replace=False)] = True
    theta, var = 0.0, 0.0
    for k in range(3):
        lab = audited & (stratum == k)
        unl = ~audited & (stratum == k)
        w = (stratum == k).sum() / total
        est = float(np.squeeze(ppi_mean_pointestimate(y_all[lab], f[lab], f[unl])))
        lo, hi = ppi_mean_ci(y_all[lab], f[lab], f[unl], alpha=ALPHA)
        se = (float(np.squeeze(hi)) - float(np.squeeze(lo))) / (2 * Z)
        theta += w * est
        var += w * w * se * se
    return {
        "stratum": stratum.tolist(), "yhat": f.tolist(),
        "y": [float(v) if a else None for v, a in zip(y_all, audited)],
        "estimate": theta, "ci": [theta - Z * np.sqrt(var), theta + Z * np.sqrt(var)],
    }


def alt_test_case():
    """Five people, a machine; each item labeled by a random 2-4 of the people."""
    rng = np.random.default_rng(7)
    people = ["ana", "ben", "cleo", "dev", "eve"]
    skill = {"ana": 0.9, "ben": 0.8, "cleo": 0.75, "dev": 0.6, "eve": 0.85}
    labels = ["a", "b", "c"]
    items = []
    for _ in range(120):
        truth = rng.integers(3)
        def answer(p):
            return labels[truth] if rng.uniform() < p else labels[(truth + 1 + rng.integers(2)) % 3]
        who = rng.choice(people, rng.integers(2, 5), replace=False)
        items.append({"machine": answer(0.82), "people": {str(j): answer(skill[j]) for j in who}})
    eps = 0.1
    result = []
    for j in people:
        d = alt_test_differences(items, j)
        p = stats.ttest_1samp(d, popmean=eps, alternative="less").pvalue
        result.append({"name": j, "items": len(d), "p": float(p)})
    adjusted = stats.false_discovery_control([r["p"] for r in result], method="by")
    for r, a in zip(result, adjusted):
        r["rejected"] = bool(a <= ALPHA)
    return {"epsilon": eps, "alpha": ALPHA, "items": items, "people": result}


def main():
    t_cdf = [{"t": t, "df": df, "cdf": float(stats.t.cdf(t, df))}
             for t, df in [(-2.5, 3), (-0.3, 7), (0.0, 4), (1.2, 1), (1.7, 29), (-4.0, 120), (3.1, 2.5)]]
    data = {
        "generator": "scripts/ppi-fixtures.py",
        "versions": {"ppi-python": importlib.metadata.version("ppi-python"), "numpy": np.__version__, "scipy": scipy.__version__},
        "alpha": ALPHA,
        "ppi": ppi_cases(),
        "stratified": stratified_case(),
        "t_cdf": t_cdf,
        "alt_test": alt_test_case(),
    }
    write(OUT, data)


if __name__ == "__main__":
    main()
