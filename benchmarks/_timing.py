"""Timing helpers shared by the benchmarks: best-of-N wall time, interleaved rounds and a printed table."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")


def best_time(fn: Callable[[], object], repeat: int = 7, number: int = 20) -> float:
    """Best average seconds per call of `fn` over `repeat` rounds of `number` calls (after one warm-up)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def interleaved(
    competitors: dict[str, Callable[[], T]], rounds: int, pause: float = 0.0
) -> dict[str, list[T]]:
    """Each competitor's results over `rounds` rounds, the competitors in a shuffled (seeded) order every round, so
    that a slow spell of the machine falls on all of them alike; `pause` seconds between two competitors (at 2
    threads, OpenBLAS's worker threads left spinning by one slow the next: 2x for PyTorch, measured)."""
    results: dict[str, list[T]] = {name: [] for name in competitors}
    for round_ in range(rounds):
        order = list(competitors)
        random.Random(round_).shuffle(order)
        for name in order:
            results[name].append(competitors[name]())
            time.sleep(pause)
    return results


@dataclass
class Row:
    case: str
    fcnet_seconds: float
    reference: str
    reference_seconds: float | None
    goal: str = ""

    @property
    def ratio(self) -> float | None:
        return (
            None if self.reference_seconds is None else self.fcnet_seconds / self.reference_seconds
        )


def print_table(rows: list[Row]) -> None:
    header = f"| {'case':<52} | {'fcnet':>10} | {'reference':<34} | {'ref time':>10} | {'ratio':>6} | goal |"
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for r in rows:
        ref = "n/a" if r.reference_seconds is None else f"{r.reference_seconds * 1e3:8.3f}ms"
        ratio = "n/a" if r.ratio is None else f"{r.ratio:6.2f}"
        print(
            f"| {r.case:<52} | {r.fcnet_seconds * 1e3:8.3f}ms | {r.reference:<34} | {ref:>10} | {ratio:>6} "
            f"| {r.goal} |"
        )
