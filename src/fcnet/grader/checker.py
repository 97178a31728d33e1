"""Check a student's course files against fcnet's references: run each function in the sandbox on its plan, judge
it against the reference, and give the hint of the known mistake whose signature its failures match.

    report = check_submission("path/to/assignment2", course="cs231n")
    report["functions"]["affine_backward"]["hint"]
"""

from __future__ import annotations

import ast
import importlib
import inspect
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from fcnet.grader import mistakes
from fcnet.grader.judge import ERROR, FAILED, MISSING, PASSED, Check, judge
from fcnet.grader.notebooks import NotebookError, defined_names, notebook_code, notebook_submission
from fcnet.grader.sandbox import ChildResult, Limits, reference_results, run_in_sandbox
from fcnet.grader.mnist_mlp_checks import MODULE as MNIST_MLP_MODULE
from fcnet.grader.mnist_mlp_checks import mnist_mlp_functions
from fcnet.grader.specs import FunctionSpec, cs231n_functions, dlfs_functions, ece_functions

# course name -> (the package folder its files live in, the functions it asks for, p's meaning in dropout)
COURSES: dict[str, tuple[str, tuple[FunctionSpec, ...], str]] = {
    "cs231n": ("cs231n", cs231n_functions("cs231n"), "keep"),
    "cs231n_2017": ("cs231n", cs231n_functions("cs231n", 2017), "drop"),
    "dasecv": ("daseCV", cs231n_functions("daseCV"), "keep"),
    "ece": ("nndl", ece_functions(), "drop"),
    "dlfs": ("common", dlfs_functions(), "keep"),
    "mnist_mlp": (MNIST_MLP_MODULE, mnist_mlp_functions(), "keep"),
}
REFERENCE_IMPORTS = ("fcnet", "torch", "tensorflow", "jax", "keras")


class SubmissionError(ValueError):
    """A submission the checker cannot take (no course files in it, an unknown course)."""


def detect_course(root: Path) -> str:
    """The course whose layout `root` has (its package folder holds layers.py)."""
    for name, (package, specs, _) in COURSES.items():
        if any((root / (spec.module.replace(".", "/") + ".py")).is_file() for spec in specs):
            if name == "cs231n" and _is_2017(root / package):
                return "cs231n_2017"
            return name
    raise SubmissionError(
        f"{root} has none of the courses' layouts ({', '.join(_layouts())}); "
        f"give --course {{{','.join(COURSES)}}} and the folder that holds the course's package"
    )


def _layouts() -> list[str]:
    """Each course's first file, as its first function's module names it: cs231n/layers.py, ..., mnist_mlp.py."""
    files = [specs[0].module.replace(".", "/") + ".py" for _, specs, _ in COURSES.values()]
    return list(dict.fromkeys(files))


def _is_2017(package: Path) -> bool:
    """cs231n's 2017 templates: FullyConnectedNet takes use_batchnorm (normalization= from 2018 on)."""
    try:
        return "use_batchnorm" in (package / "classifiers" / "fc_net.py").read_text(
            errors="replace"
        )
    except OSError:
        return False


def _root_of(path: Path) -> Path:
    """The folder that holds the course's package: a submission folder, or the package folder itself."""
    path = path.resolve()
    folder = path.parent if path.is_file() else path
    # every course's top-level folders (cs231n, nndl; the book's common and ch05), from the modules it checks
    # (a module of one file, the MNIST-MLP notebook's mnist_mlp.py, names no folder)
    packages = {
        spec.module.split(".")[0]
        for _, specs, _ in COURSES.values()
        for spec in specs
        if "." in spec.module
    }
    for candidate in (folder, *folder.parents):  # cs231n/classifiers/fc_net.py: two levels up
        if candidate.name in packages:
            return candidate.parent
    return folder


@lru_cache(maxsize=None)
def _reference_functions(module: str) -> dict[str, Any]:
    mod = importlib.import_module(module)
    return {name: getattr(mod, name) for name in dir(mod) if callable(getattr(mod, name))}


def dropout_convention(source: Path, default: str) -> str:
    """'keep' or 'drop': what the student's own dropout_forward docstring says p is (the templates changed over
    the years: "We keep each neuron output with probability p" / "We drop ..."), else the course's default."""
    try:
        tree = ast.parse(source.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return default
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "dropout_forward":
            doc = (ast.get_docstring(node) or "").lower()
            keep, drop = doc.find("keep each"), doc.find("drop each")
            if keep >= 0 and (drop < 0 or keep < drop):
                return "keep"
            if drop >= 0:
                return "drop"
    return default


def _arg_names(spec: FunctionSpec) -> list[str]:
    """The names of the arguments the plan passes, from the reference's signature (x, w, b; x, y; ...)."""
    step = spec.cases[0].step
    name = step.get("forward") or step.get("fn")
    try:
        return list(inspect.signature(_reference_functions(spec.reference)[name]).parameters)
    except (KeyError, TypeError, ValueError):
        return []


def _context(spec: FunctionSpec, convention: str) -> dict[str, Any]:
    """What a judge needs to know of the course: dropout's convention, the arguments' names, the L2 factor."""
    reference = _reference_functions(spec.reference)
    return {
        "dropout_convention": convention,
        "arg_names": _arg_names(spec),
        "l2_factor": getattr(reference.get("TwoLayerNet"), "l2_factor", None),
    }


def _signature(checks: list[Check]) -> dict[str, str]:
    return {c.name: c.label for c in checks if c.status != PASSED}


@lru_cache(maxsize=None)
def _mistake_signatures(
    course: str, function: str, convention: str
) -> tuple[tuple[mistakes.Mistake, dict], ...]:
    """Each catalogue mutant of `function`, run on the function's plan and judged as a student's code is."""
    spec = next(s for s in COURSES[course][1] if s.name == function)
    reference = _reference_functions(spec.reference)
    plan = [case.step for case in spec.cases]
    expected = reference_results(reference, plan)
    out = []
    for mistake in mistakes.for_function(function, convention):
        results = reference_results({**reference, **mistakes.course_mutant(course, mistake)}, plan)
        _, checks = judge(
            spec,
            results,
            expected,
            _context(spec, convention),
        )
        out.append((mistake, _signature(checks)))
    return tuple(out)


def _hint(course: str, spec: FunctionSpec, checks: list[Check], convention: str) -> str:
    """The catalogue's hint for failures with this signature (or, failing an exact match, for the mistake whose
    signature shares most with it: at least half of each), else what differs, precisely."""
    signature = set(_signature(checks).items())
    best, best_overlap = None, 0.0
    for mistake, theirs in _mistake_signatures(course, spec.name, convention):
        theirs = set(theirs.items())
        if not theirs:
            continue
        if theirs == signature:
            return f"{mistake.title}: {mistake.hint}"
        shared = len(theirs & signature)
        if (
            shared >= len(theirs) / 2
            and shared >= len(signature) / 2
            and shared / len(theirs | signature) > best_overlap
        ):
            best, best_overlap = mistake, shared / len(theirs | signature)
    if best is not None:
        return f"probably {best.title}: {best.hint}"
    failed = [c for c in checks if c.status != PASSED]
    return f"{failed[0].name}: {failed[0].message}" if failed else ""


def _judged(
    root: Path,
    spec: FunctionSpec,
    limits: Limits,
    convention: str,
    swap_in: tuple[str, ...] = (),
) -> tuple[str, list[Check], ChildResult]:
    """(status, checks, the child's result) of one sandboxed run of the function's plan."""
    plan = [case.step for case in spec.cases]
    child = run_in_sandbox(root, spec.module, plan, limits, swap_in)
    module_file = spec.module.replace(".", "/") + ".py"
    if child.import_error is not None and not (root / module_file).is_file():
        return (
            MISSING,
            [Check("defined", FAILED, f"{module_file} is not in the submission", "missing")],
            child,
        )
    if child.import_error is not None:
        message = f"{module_file} could not be imported: {child.import_error}"
        return ERROR, [Check("import", FAILED, message, "error")], child
    if child.results is None:
        why = child.failure or "it failed"
        called = sorted(
            {
                name
                for case in spec.cases
                for name in (
                    case.step.get("forward"),
                    case.step.get("fn"),
                    case.step.get("backward"),
                )
                if name
            }
        )
        if len(called) > 1:
            why += f" (the check calls your {' and '.join(called)})"
        tail = child.output.strip().splitlines()[-1:] if child.output.strip() else []
        message = why + (f" (last output: {tail[0][:200]})" if tail else "")
        return ERROR, [Check("ran", FAILED, message, "error")], child
    expected = reference_results(_reference_functions(spec.reference), plan)
    status, checks = judge(
        spec,
        child.results,
        expected,
        _context(spec, convention),
    )
    return status, checks, child


def _as_json(checks: list[Check]) -> list[dict[str, str]]:
    return [{"name": c.name, "status": c.status, "message": c.message} for c in checks]


def check_function(
    course: str, root: Path, spec: FunctionSpec, limits: Limits, convention: str
) -> dict[str, Any]:
    """One function's verdict: status, checks, hint, the seconds it took and what its module imported. A network
    is judged on the reference layers (its own mistakes only); its run on the student's own layers is reported
    beside it, under "with_your_layers", and does not count."""
    status, checks, child = _judged(root, spec, limits, convention, spec.swap_in)
    hint = (
        ""
        if status == PASSED
        else (_hint(course, spec, checks, convention) if status == FAILED else checks[0].message)
    )
    verdict = {
        "status": status,
        "checks": _as_json(checks),
        "hint": hint,
        "seconds": round(child.seconds, 3),
        "imports": sorted(set(child.imported) & set(REFERENCE_IMPORTS)),
    }
    if spec.swap_in:
        own_status, own_checks, own_child = _judged(root, spec, limits, convention, spec.given)
        verdict["with_your_layers"] = {"status": own_status, "checks": _as_json(own_checks)}
        verdict["seconds"] = round(child.seconds + own_child.seconds, 3)
        verdict["imports"] = sorted(
            set(child.imported + own_child.imported) & set(REFERENCE_IMPORTS)
        )
        if status == PASSED and own_status != PASSED:
            failed = next(c for c in own_checks if c.status != PASSED)
            verdict["hint"] = (
                f"{spec.name} is right on the reference layers but not on yours ({failed.name}: "
                f"{failed.message}); fix the layers' failed checks first"
            )
    return verdict


def check_submission(
    path: str | Path,
    course: str | None = None,
    *,
    jobs: int = 2,
    limits: Limits = Limits(),
    functions: list[str] | None = None,
) -> dict[str, Any]:
    """The report of a student's folder, one of its files, or a notebook (.ipynb or exported .py: the functions
    it defines): {"course", "functions": {name: {"status", "checks", "hint", ...}}, "score", "max_score",
    "flagged"}."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if course is not None and course not in COURSES:
        raise SubmissionError(f"--course must be one of {list(COURSES)}, got {course!r}")
    if _is_notebook(path):
        with tempfile.TemporaryDirectory(prefix="fcnet-notebook-") as tmp:
            try:
                code = notebook_code(path)
                names = defined_names(code, str(path))
                course = course or _course_of_notebook(names, code)
                specs = tuple(s for s in COURSES[course][1] if _defines(names, s))
                if not specs:
                    raise SubmissionError(
                        f"{path} defines none of {course}'s functions "
                        f"({sorted({s.name.split('.')[0] for s in COURSES[course][1]})})"
                    )
                root = notebook_submission(path, sorted({s.module for s in specs}), Path(tmp))
            except NotebookError as exc:
                raise SubmissionError(str(exc)) from None
            return _run_checks(course, root, specs, functions, jobs, limits)
    root = _root_of(path)
    course = course or detect_course(root)
    specs = COURSES[course][1]
    if path.is_file():  # one file: only its functions
        module = ".".join(path.resolve().relative_to(root).with_suffix("").parts)
        specs = tuple(s for s in specs if s.module == module)
        if not specs:
            raise SubmissionError(
                f"{path} is none of {course}'s files ({sorted({s.module for s in COURSES[course][1]})})"
            )
    return _run_checks(course, root, specs, functions, jobs, limits)


def _defines(names: set[str], spec: FunctionSpec) -> bool:
    """Whether a notebook defining `names` has `spec`'s function (a chain: every layer function it composes)."""
    if spec.kind == "chain":
        step = spec.cases[0].step
        return {layer[k] for layer in step["layers"] for k in ("forward", "backward")} <= names
    return spec.name.split(".")[0] in names


def _is_notebook(path: Path) -> bool:
    """An .ipynb, or a .py file that is none of any course's files where it lies (an exported notebook)."""
    if not path.is_file():
        return False
    if path.suffix == ".ipynb":
        return True
    if path.suffix != ".py":
        return False
    root = _root_of(path)
    module = ".".join(path.resolve().relative_to(root).with_suffix("").parts)
    return not any(s.module == module for _, specs, _ in COURSES.values() for s in specs)


# words in a notebook that name its course when several define the same functions
NOTEBOOK_MARKS = {
    "nndl": "ece",
    "daseCV": "dasecv",
    "use_batchnorm": "cs231n_2017",
    "common.": "dlfs",
    "LeakyRelu": "mnist_mlp",
}


def _course_of_notebook(names: set[str], code: str) -> str:
    """The course whose functions the notebook defines most of (its imports break a tie: nndl is ECE's)."""
    counts = {
        course: len({s.name.split(".")[0] for s in specs} & names)
        for course, (_, specs, _) in COURSES.items()
    }
    best = max(counts.values())
    if best == 0:
        raise SubmissionError(
            "the notebook defines none of the courses' functions; give --course "
            f"{{{','.join(COURSES)}}}"
        )
    tied = [course for course, n in counts.items() if n == best]
    marked = [course for mark, course in NOTEBOOK_MARKS.items() if mark in code and course in tied]
    return (marked or tied)[0]


def _run_checks(
    course: str,
    root: Path,
    specs: tuple[FunctionSpec, ...],
    functions: list[str] | None,
    jobs: int,
    limits: Limits,
) -> dict[str, Any]:
    package, _, default_convention = COURSES[course]
    if functions:
        unknown = sorted(set(functions) - {s.name for s in specs})
        if unknown:
            raise SubmissionError(
                f"unknown function(s) {unknown} for {course}; known: {[s.name for s in specs]}"
            )
        specs = tuple(s for s in specs if s.name in functions)
    convention = dropout_convention(root / package / "layers.py", default_convention)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        verdicts = list(
            pool.map(lambda s: check_function(course, root, s, limits, convention), specs)
        )
    report = {
        "course": course,
        "convention": {"dropout_p": convention},
        "functions": {s.name: v for s, v in zip(specs, verdicts)},
    }
    report["score"] = sum(v["status"] == PASSED for v in verdicts)
    report["max_score"] = len(verdicts)
    report["flagged"] = sorted({m for v in verdicts for m in v["imports"]})
    return report


STATUSES = (PASSED, FAILED, MISSING, ERROR)
