"""Training output (a tqdm bar on a terminal, plain lines elsewhere) and Ctrl-C between steps."""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator


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


@contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Within the block, a first Ctrl-C only raises a flag, read between training steps (so that no update is cut
    in half and a checkpoint taken then resumes exactly); a second Ctrl-C interrupts at once. Yields the flag's
    reader. Outside the main thread (where signals cannot be caught) the flag stays down."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    count = 0

    def handler(signum, frame):
        nonlocal count
        count += 1
        if count > 1:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: count > 0
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
