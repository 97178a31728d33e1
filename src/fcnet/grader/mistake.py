"""A known mistake of the grader's catalogue (fcnet.grader.mistakes): what it is and the mutant that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Mistake:
    """A known mistake: `key` (stable id), the function it is made in, a title, the hint, and the mutant's
    functions (name -> callable) that replace the reference's to reproduce it."""

    key: str
    function: str
    title: str
    hint: str
    mutant: Callable[[], dict[str, Callable]]
    # the dropout conventions (what p means) it applies under
    conventions: tuple[str, ...] = ("keep", "drop")
