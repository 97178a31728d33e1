"""Run a plan against a student's module in a child process that cannot hurt the grader: its own copy of the
submission as working directory, CPU-time, wall-clock, address-space and file-size limits, an environment without
the grader's variables (no secrets), one BLAS thread, and, where the machine allows it (root and `unshare`, as in
a Gradescope container), a mount namespace in which every file system but its working directory is read-only and
the references (fcnet, PyTorch) are hidden, so that a submission cannot copy their answers. Results come back on a
pipe of their own, never on the student's stdout; they are only outputs, which the grader compares itself."""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fcnet.grader import plan_runner

WATCHED_IMPORTS = ("fcnet", "torch", "tensorflow", "jax", "keras", "sklearn", "cs231n_reference")


@dataclass(frozen=True)
class Limits:
    """What one child may use: seconds of CPU and of wall clock, bytes of address space, bytes per written file."""

    cpu_seconds: int = 30
    wall_seconds: float = 60.0
    address_space: int = 4 * 2**30
    file_size: int = 64 * 2**20


@dataclass
class ChildResult:
    """What came back: the plan's results (None when the child failed before writing them), the modules of
    WATCHED_IMPORTS the student's code imported, an import error, and why the child failed (timeout, a signal, an
    exit without results), with the end of what it printed."""

    results: list | None
    imported: list[str] = field(default_factory=list)
    import_error: str | None = None
    failure: str | None = None
    output: str = ""
    seconds: float = 0.0


# sh -c READ_ONLY_SCRIPT sh WORK HIDDEN... -- COMMAND...: WORK stays writable, every other file system becomes
# read-only, and each HIDDEN folder (the references: fcnet, torch) is covered by an empty one.
READ_ONLY_SCRIPT = """
set -e
work="$1"; shift
mount --bind "$work" "$work"
for mountpoint in $(awk '{print $2}' /proc/self/mounts | sort -u); do
  case "$mountpoint" in /proc*|/sys*|/dev*|"$work") continue ;; esac
  mount -o remount,bind,ro "$mountpoint" 2>/dev/null || true
done
while [ "$1" != "--" ]; do
  mount -t tmpfs -o ro,size=4k fcnet-hidden "$1"
  shift
done
shift
exec "$@"
"""


@lru_cache(maxsize=1)
def hidden_references() -> tuple[str, ...]:
    """The folders of the packages a student could copy answers from (fcnet, PyTorch): this fcnet's own folder and
    whatever `python -I` would import under those names (an installed copy may differ from the running one)."""
    folders = {str(Path(plan_runner.__file__).resolve().parents[1])}
    probe = (
        "import importlib.util, json\n"
        "found = []\n"
        "for name in ('fcnet', 'torch'):\n"
        "    spec = importlib.util.find_spec(name)\n"
        "    found += list(spec.submodule_search_locations or []) if spec else []\n"
        "print(json.dumps(found))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=60
        )
        folders |= {str(Path(p).resolve()) for p in json.loads(done.stdout or "[]")}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass
    return tuple(sorted(folders))


def read_only(work: str, hidden: tuple[str, ...], command: list[str]) -> list[str]:
    """`command` run in a new mount namespace in which only `work` is writable and each of `hidden` is empty."""
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        READ_ONLY_SCRIPT,
        "sh",
        work,
        *hidden,
        "--",
        *command,
    ]


@lru_cache(maxsize=1)
def isolation() -> str:
    """How far this machine lets the sandbox go: 'read-only filesystem' (a mount namespace in which everything but
    the child's working directory is read-only; needs root and `unshare`), or 'working directory only'."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "working directory only"
    with tempfile.TemporaryDirectory(prefix="fcnet-probe-") as tmp:
        probe = subprocess.run(
            read_only(
                tmp,
                (),
                ["sh", "-c", f"touch {tmp}/ok && ! touch /fcnet-probe-outside 2>/dev/null"],
            ),
            capture_output=True,
            timeout=30,
        )
        if Path("/fcnet-probe-outside").exists():
            Path("/fcnet-probe-outside").unlink()
            return "working directory only"
        return (
            "read-only filesystem"
            if probe.returncode == 0 and Path(tmp, "ok").exists()
            else "working directory only"
        )


def _limit(limits: Limits):
    def apply() -> None:
        os.setsid()  # its own process group: a timeout kills whatever it started
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits.address_space, limits.address_space))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size, limits.file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _copy_submission(root: Path, into: Path) -> Path:
    work = into / "submission"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".ipynb_checkpoints")
    shutil.copytree(root, work, symlinks=False, ignore=ignore)
    return work


def run_in_sandbox(
    root: Path,
    module: str,
    plan: list,
    limits: Limits = Limits(),
    swap_in: tuple[str, ...] = (),
) -> ChildResult:
    """Import `module` (dotted, relative to the submission folder `root`) in a sandboxed child and run `plan`;
    with `swap_in` (modules of fcnet.courses), their functions replace the student's of the same name, so that a
    network is judged on the reference layers (fcnet is then visible to the child, read-only)."""
    with tempfile.TemporaryDirectory(prefix="fcnet-grade-") as tmp:
        tmp_path = Path(tmp)
        work = _copy_submission(root, tmp_path)
        request = tmp_path / "request.json"
        request.write_text(
            json.dumps(
                {
                    "root": str(work),
                    "module": module,
                    "plan": plan,
                    "watch": list(WATCHED_IMPORTS),
                    "swap_in": list(swap_in),
                    "reference_path": str(Path(plan_runner.__file__).resolve().parents[2]),
                }
            )
        )
        runner = tmp_path / "plan_runner.py"  # outside fcnet's folder, which the sandbox hides
        for script in plan_runner.SCRIPTS:
            shutil.copyfile(Path(plan_runner.__file__).with_name(script), tmp_path / script)
        command = [sys.executable, "-I", str(runner), str(request)]
        if isolation() == "read-only filesystem":
            hidden = tuple(
                folder
                for folder in hidden_references()
                if not (swap_in and Path(folder).name == "fcnet")
            )
            command = read_only(str(work), hidden, command)
        read_end, write_end = os.pipe()
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(work),
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
        }
        start = time.monotonic()
        try:
            child = subprocess.Popen(
                [*command, str(write_end)],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_end,),
                preexec_fn=_limit(limits),
            )
        finally:
            os.close(write_end)
        data, output, failure = _collect(child, read_end, limits)
        seconds = time.monotonic() - start
    if failure is None and child.returncode != 0 and data is None:
        failure = _exit_reason(child.returncode, limits)
    if data is None:
        return ChildResult(
            None,
            failure=failure or "the child ended without results",
            output=output,
            seconds=seconds,
        )
    try:
        found = json.loads(data)
        return ChildResult(
            plan_runner.decode(found["results"]),
            list(found.get("imported", [])),
            found.get("import_error"),
            output=output,
            seconds=seconds,
        )
    except (ValueError, KeyError, TypeError) as exc:
        return ChildResult(
            None, failure=f"its results could not be read ({exc})", output=output, seconds=seconds
        )


def _collect(
    child: subprocess.Popen, read_end: int, limits: Limits
) -> tuple[bytes | None, str, str | None]:
    """The framed result from the pipe, the child's output (its last 4,000 characters) and a failure, if any."""
    import selectors

    chunks: list[bytes] = []
    printed = bytearray()
    failure = None
    deadline = time.monotonic() + limits.wall_seconds
    selector = selectors.DefaultSelector()
    selector.register(read_end, selectors.EVENT_READ, "result")
    selector.register(child.stdout, selectors.EVENT_READ, "output")
    received = 0
    open_streams = 2
    while open_streams:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            failure = f"timed out after {limits.wall_seconds:g} s (an endless loop?)"
            break
        for key, _ in selector.select(timeout=min(remaining, 1.0)):
            block = (
                os.read(key.fd, 1 << 16) if key.data == "result" else key.fileobj.read1(1 << 16)
            )
            if not block:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.data == "result":
                received += len(block)
                if received > plan_runner.MAX_RESULT_BYTES + 8:
                    failure = "its results were larger than the grader reads"
                    open_streams = 0
                    break
                chunks.append(block)
            else:
                printed += block
                del printed[:-4000]
    selector.close()
    if failure is not None or child.poll() is None:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    child.wait()
    child.stdout.close()
    os.close(read_end)
    data = b"".join(chunks)
    result = None
    if failure is None and len(data) >= 8:
        length = int.from_bytes(data[:8], "little")
        if length == len(data) - 8:
            result = data[8:]
        else:
            failure = "its results were cut short or written twice"
    return result, printed.decode("utf-8", "replace"), failure


def _exit_reason(code: int, limits: Limits) -> str:
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return f"stopped: it used more than {limits.cpu_seconds} s of CPU time"
    if code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    return f"exited with status {code} before its results were written (sys.exit or os._exit in the code?)"


def reference_results(functions: dict[str, Any], plan: list) -> list:
    """The same plan run in this process on trusted functions (the course's reference, a catalogue mutant), with
    the results in the form the child sends (JSON-decoded)."""
    import numpy as np

    # a mutant's overflow is what it is meant to show; what a reference prints (the MNIST-MLP course's
    # initialize_parameters prints the shapes) is not the grader's output: one thread at a time swaps stdout
    with _REFERENCE_LOCK, np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
        results = plan_runner.run_plan(functions, plan)
    return plan_runner.decode(json.loads(json.dumps(results)))


_REFERENCE_LOCK = threading.RLock()
