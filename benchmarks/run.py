"""Run every benchmark and print one table: case, fcnet time, reference time, ratio, goal.

python benchmarks/run.py            # all suites
python benchmarks/run.py epoch scaling inference accuracy   # the performance table of README.md
python benchmarks/run.py layers     # one suite (layers, memory, data, training, optimizers, sklearn, epoch,
                                    # scaling, inference, accuracy, diagnostics, fused, step)
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import print_table  # noqa: E402

SUITES = [
    "layers",
    "memory",
    "data",
    "training",
    "optimizers",
    "sklearn",
    "epoch",
    "scaling",
    "inference",
    "accuracy",
    "diagnostics",
    "fused",
    "step",
]


def main(argv: list[str]) -> None:
    chosen = argv or SUITES
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        raise SystemExit(f"unknown suite(s) {unknown}; known: {SUITES}")
    for name in chosen:
        print(f"\n## {name}\n")
        print_table(importlib.import_module(f"bench_{name}").run())


if __name__ == "__main__":
    main(sys.argv[1:])
