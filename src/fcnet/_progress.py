"""Training output (a tqdm bar on a terminal, plain lines elsewhere) and Ctrl-C between steps."""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator


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


class Interrupts:
    """Ctrl-C as a training loop sees it: a first one is a request read between steps; a second one interrupts
    at once, except inside a critical block (an optimizer step), which it lets finish first."""

    def __init__(self) -> None:
        self.count = 0
        self._in_critical = False
        self._pending = False

    def requested(self) -> bool:
        return self.count > 0

    def __call__(self) -> bool:  # the older spelling: interrupted()
        return self.requested()

    def handler(self, signum, frame) -> None:
        self.count += 1
        if self.count > 1:
            if self._in_critical:
                self._pending = True
            else:
                raise KeyboardInterrupt

    @contextmanager
    def critical(self) -> Iterator[None]:
        """A block that a second Ctrl-C does not cut in half: it raises when the block has ended."""
        self._in_critical = True
        try:
            yield
        finally:
            self._in_critical = False
        if self._pending:
            self._pending = False
            raise KeyboardInterrupt


class _NoInterrupts(Interrupts):
    """Outside the main thread, where signals cannot be caught: never requested, nothing critical."""

    @contextmanager
    def critical(self) -> Iterator[None]:
        yield


@contextmanager
def deferred_interrupt() -> Iterator[Interrupts]:
    """Within the block, a first Ctrl-C only raises a flag, read between training steps (so that no update is cut
    in half and a checkpoint taken then resumes exactly); a second Ctrl-C interrupts at once, but never inside a
    step (:meth:`Interrupts.critical`). Yields the Interrupts. Outside the main thread the flag stays down."""
    if threading.current_thread() is not threading.main_thread():
        yield _NoInterrupts()
        return
    interrupts = Interrupts()
    previous = signal.signal(signal.SIGINT, interrupts.handler)
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
