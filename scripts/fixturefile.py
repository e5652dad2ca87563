"""What the fixture scripts (ppi-fixtures.py, alttest-fixtures.py) share: the alt-test's differences and
writing a fixture file."""
import json

import numpy as np


def alt_test_differences(items, person):
    """d_i = W^h_i - W^f_i over the items `person` labeled with at least one other person (AltTest.swift):
    S(l) is the share of the others giving l; W^f = 1[S(machine) >= S(own)], W^h = 1[S(own) >= S(machine)]."""
    d = []
    for it in items:
        if person not in it["people"] or len(it["people"]) < 2:
            continue
        others = [l for k, l in it["people"].items() if k != person]
        sf = np.mean([l == it["machine"] for l in others])
        sh = np.mean([l == it["people"][person] for l in others])
        d.append(float(sh >= sf) - float(sf >= sh))
    return d


def write(path, data):
    with open(path, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
    print(f"wrote {path}")
