"""Training output: a tqdm bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
from typing import Any


def make_bar(progress: bool | str, verbose: bool, total: int, initial: int) -> Any:
    """A tqdm bar when `progress` is True, or 'auto' with `verbose` on a terminal (None without tqdm)."""
    if not (progress is True or (progress == "auto" and verbose and sys.stdout.isatty())):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, initial=initial, unit="it", leave=True)


def emit(line: str, bar: Any, show: bool) -> None:
    """Print `line` through the bar (so that it stays below the text) or plainly, when `show`."""
    if bar is not None:
        bar.write(line)
    elif show:
        print(line, flush=True)
