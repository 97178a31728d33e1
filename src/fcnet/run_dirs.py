"""Run directories: what an fcnet run writes there, the checks before anything is written, and the lock that
keeps two commands from writing one directory at once.

A command that writes a run directory holds an advisory lock (``fcntl.flock``) on its ``.fcnet.lock`` for as long
as it writes; a second command on the same directory fails at once, naming the process that holds it. The lock
goes with the process (a killed one leaves nothing locked). ``--force`` replaces only a directory that is an
fcnet run: one that holds fcnet's files and nothing else.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from fcnet import saving

RUN_FILES = (
    "config.json",
    "model.npz",
    "history.csv",
    "history.json",
    "summary.json",
    "history.png",
    "loss.png",
    "accuracy.png",
    "weights.png",
    "diagnostics.csv",  # fcnet.diagnostics' measurements
    "report.html",  # fcnet report
)
CHECKPOINT_GLOB = "checkpoint_*.npz"
LOCK_FILE = ".fcnet.lock"


class RunDirError(ValueError):
    """A run directory that cannot be used as asked (exists, is a file, has nothing to resume, is locked)."""


def check_out_dir(out: Path) -> None:
    """An output directory may exist, but must not be a file."""
    if out.exists() and not out.is_dir():
        raise RunDirError(f"--out {out} is a file, not a directory")


def _is_run_file(path: Path) -> bool:
    return (
        path.name in RUN_FILES
        or path.name == LOCK_FILE
        or path.match(CHECKPOINT_GLOB)
        or path.match("confusion_*.png")
        or (path.name.startswith(".") and path.name.endswith(".tmp"))
    )


def foreign_files(out: Path) -> list[str]:
    """The names in `out` that an fcnet run does not write."""
    return sorted(p.name for p in out.iterdir() if not (p.is_file() and _is_run_file(p)))


def check_run_dir(out: Path, resume: bool = False, force: bool = False) -> None:
    """Refuse a run directory before anything is written: an existing one unless resume or force, a file,
    (force) one that holds other files than an fcnet run's, or (resume) one without config.json and a checkpoint."""
    check_out_dir(out)
    if resume:
        if not (out / "config.json").is_file():
            raise RunDirError(
                f"--resume {out}: no config.json there; it is not an fcnet run directory"
            )
        if not list(out.glob(CHECKPOINT_GLOB)):
            raise RunDirError(f"--resume {out}: no checkpoint there to resume from")
        return
    if not out.exists() or not any(p.name != LOCK_FILE for p in out.iterdir()):
        return
    if not force:
        raise RunDirError(
            f"run directory {out} exists; give --resume to continue it, --force to replace it, or "
            "another --out"
        )
    foreign = foreign_files(out)
    if foreign:
        raise RunDirError(
            f"--force replaces only an fcnet run directory, and {out} also holds {foreign[:5]}"
            f"{' ...' if len(foreign) > 5 else ''}: give another --out, or move those files"
        )


def check_writable(out: Path) -> None:
    """Create `out` if needed and check that a file can be written there (before hours of training)."""
    check_out_dir(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".fcnet-write-test", delete=True):
            pass
    except OSError as exc:
        raise RunDirError(f"--out {out} is not writable: {exc.strerror or exc}") from None


@contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """Hold the run directory's lock while the block runs. The directory is created if need be, and removed again
    when the block leaves nothing in it but the lock (a refused or failed command leaves nothing behind)."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with _locked(out):
            yield
    finally:
        if created and [p.name for p in out.iterdir()] == [LOCK_FILE]:
            shutil.rmtree(out, ignore_errors=True)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    path = out / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise RunDirError(
                f"run directory {out} is being written by process {holder}; wait for it to end, "
                "or give another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def newest_checkpoints(out: Path) -> list[Path]:
    """The run's checkpoints, newest first."""
    return sorted(out.glob(CHECKPOINT_GLOB), key=lambda p: p.stat().st_mtime_ns, reverse=True)


def start_run_dir(out: Path, config_values: dict, force: bool) -> None:
    """Clear (with force) the locked run directory and write config.json."""
    if force:
        for path in [
            *(out / name for name in RUN_FILES),
            *out.glob(CHECKPOINT_GLOB),
            *out.glob("confusion_*.png"),
        ]:
            path.unlink(missing_ok=True)
    saving.write_text(out / "config.json", json.dumps(config_values, indent=2))


def resolve_model_path(path: str | Path) -> Path:
    """A model file, or the model.npz of a run directory."""
    path = Path(path)
    if path.is_dir():
        if not (path / "model.npz").is_file():
            raise FileNotFoundError(
                f"{path} is a directory without model.npz; give a run directory or a model file"
            )
        return path / "model.npz"
    return path
