"""Grading many submissions: each one unpacked (a folder, a .zip, single .py files named as the course's files, or
a notebook) into a folder laid out as the course's, checked, scored by the rubric; a gradebook.csv (one row per
submission, one column per function) and one JSON per submission; Gradescope's results.json; the autograder zip
Gradescope needs."""

from __future__ import annotations

import csv
import io as _io
import json
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from fcnet.grader.checker import COURSES, SubmissionError, check_submission
from fcnet.grader.rubric import Rubric, default_rubric, to_toml
from fcnet.grader.notebooks import NOTEBOOK_SUFFIXES, NotebookError, notebook_submission
from fcnet.grader.sandbox import Limits

MAX_ZIP_BYTES = 200 * 2**20  # uncompressed, in all
MAX_ZIP_MEMBERS = 5000


def unpack(path: Path, course: str, into: Path) -> Path:
    """A folder holding the course's package for `path`: a folder as it is (its package found inside, one level
    down at most), a zip extracted (members checked: no absolute paths, no '..', bounded size), or .py files put
    where the course keeps them (layers.py -> cs231n/layers.py)."""
    package = COURSES[course][0]
    if path.is_dir():
        return _find_root(path, package)
    if path.suffix == ".zip":
        return _find_root(_extract(path, into), package)
    modules = {s.module.rsplit(".", 1)[-1]: s.module for s in COURSES[course][1]}
    if path.suffix == ".py" and path.stem in modules:
        target = into / (modules[path.stem].replace(".", "/") + ".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        return into
    # a notebook, exported or not: its definitions written as every course file
    if path.suffix in NOTEBOOK_SUFFIXES:
        try:
            return notebook_submission(path, sorted(set(modules.values())), into)
        except NotebookError as exc:
            raise SubmissionError(str(exc)) from None
    raise SubmissionError(
        f"{path}: a submission is a folder, a .zip, one of {course}'s files "
        f"({sorted(f'{m}.py' for m in modules)}), or a notebook (.ipynb, or exported to .py)"
    )


def _find_root(folder: Path, package: str) -> Path:
    if (folder / package).is_dir():
        return folder
    inner = [p for p in folder.iterdir() if p.is_dir() and (p / package).is_dir()]
    if len(inner) == 1:
        return inner[0]
    raise SubmissionError(f"{folder} holds no {package}/ folder (the course's package)")


def _extract(archive: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise SubmissionError(
                    f"{archive} has {len(members)} files, more than {MAX_ZIP_MEMBERS}"
                )
            total = sum(m.file_size for m in members)
            if total > MAX_ZIP_BYTES:
                raise SubmissionError(
                    f"{archive} unpacks to {total:,} bytes, more than {MAX_ZIP_BYTES:,}"
                )
            for member in members:
                name = Path(member.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise SubmissionError(
                        f"{archive}: member {member.filename!r} would land outside the folder"
                    )
            out = into / "unzipped"
            for member in members:
                if member.is_dir() or member.filename.startswith("__MACOSX"):
                    continue
                target = out / member.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
            return out
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"{archive} is not a zip file ({exc})") from None


def grade_one(
    path: Path, course: str, rubric: Rubric, limits: Limits = Limits(), jobs: int = 1
) -> dict[str, Any]:
    """The check report of one submission with its points: {"submission", ..., "points": {name: p}, "total"}."""
    with tempfile.TemporaryDirectory(prefix="fcnet-submission-") as tmp:
        try:
            root = unpack(path, course, Path(tmp))
            report = check_submission(
                root, course, jobs=jobs, limits=limits, functions=list(rubric.items)
            )
        except (SubmissionError, OSError) as exc:
            report = {
                "course": course,
                "functions": {},
                "score": 0,
                "max_score": len(rubric.items),
                "flagged": [],
                "error": str(exc),
            }
    flagged = bool(report.get("flagged"))
    points = {
        name: (
            rubric.score(name, report["functions"][name], flagged)
            if name in report["functions"]
            else 0.0
        )
        for name in rubric.items
    }
    return {
        "submission": str(path),
        **report,
        "points": points,
        "total": round(sum(points.values()), 4),
        "possible": rubric.max_score,
    }


def write_gradebook(results: list[dict[str, Any]], rubric: Rubric, out: Path) -> Path:
    """gradebook.csv: submission, total, possible, flagged imports, then one column per function."""
    from fcnet.saving import atomic_file

    buffer = _io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", "total", "possible", "flagged", *rubric.items])
    for r in results:
        writer.writerow(
            [
                r["submission"],
                r["total"],
                r["possible"],
                " ".join(r.get("flagged", [])),
                *(r["points"][name] for name in rubric.items),
            ]
        )
    path = out / "gradebook.csv"
    with atomic_file(path, "w") as f:
        f.write(buffer.getvalue())
    return path


def gradescope_results(result: dict[str, Any], rubric: Rubric, seconds: float) -> dict[str, Any]:
    """Gradescope's results.json for one graded submission: score, execution_time, tests[] (name, score,
    max_score, status, output, visibility)."""
    tests = []
    for name, item in rubric.items.items():
        verdict = result["functions"].get(name)
        if verdict is None:
            output = result.get("error", f"{name} was not checked")
            status = "failed"
        else:
            status = "passed" if verdict["status"] == "passed" else "failed"
            lines = [
                f"{verdict['status']}: {sum(c['status'] == 'passed' for c in verdict['checks'])} of "
                f"{len(verdict['checks'])} checks passed"
            ]
            if verdict["hint"]:
                lines.append(f"hint: {verdict['hint']}")
            lines += [
                f"- {c['name']}: {c['message']}"
                for c in verdict["checks"]
                if c["status"] != "passed"
            ][:6]
            output = "\n".join(lines)
        tests.append(
            {
                "name": name,
                "score": result["points"][name],
                "max_score": item.points,
                "status": status,
                "output": output,
                "visibility": item.visibility,
            }
        )
    out = {
        "score": result["total"],
        "execution_time": round(seconds, 3),
        "tests": tests,
        "output": f"{result['course']}: {sum(t['status'] == 'passed' for t in tests)} of {len(tests)} "
        "functions pass",
        "visibility": "visible",
    }
    if result.get("flagged"):
        out["output"] += f"; the code imports {', '.join(result['flagged'])}"
    return out


RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: fcnet grades /autograder/submission into /autograder/results.
cd /autograder/source
export PYTHONPATH=/autograder/source OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
python3 -m fcnet grade --gradescope --course {course} --rubric /autograder/source/rubric.toml
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (Ubuntu): Python, NumPy and fcnet's needs.
set -e
apt-get update
apt-get install -y python3 python3-pip util-linux
python3 -m pip install --break-system-packages numpy threadpoolctl || python3 -m pip install numpy threadpoolctl
"""


def make_autograder(course: str, out: Path, rubric: Rubric | None = None) -> Path:
    """Gradescope's autograder zip: setup.sh, run_autograder, the rubric and fcnet's own source."""
    from fcnet.saving import atomic_file

    package = Path(__file__).resolve().parents[1]
    rubric = rubric or default_rubric(COURSES[course][1])
    buffer = _io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (
            ("setup.sh", SETUP_SH),
            ("run_autograder", RUN_AUTOGRADER.format(course=course)),
            ("rubric.toml", to_toml(rubric, course)),
        ):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" not in path.parts:
                z.write(path, Path("fcnet") / path.relative_to(package))
    with atomic_file(out, "wb") as f:
        f.write(buffer.getvalue())
    return out


def grade_many(
    paths: list[Path],
    course: str,
    rubric: Rubric,
    out: Path,
    jobs: int = 2,
    limits: Limits = Limits(),
    on_result=None,
) -> list[dict[str, Any]]:
    """Grade every submission (`jobs` functions at a time), writing out/<name>.json and out/gradebook.csv."""
    from fcnet.saving import atomic_file

    out.mkdir(parents=True, exist_ok=True)
    results = []
    for index, path in enumerate(paths):
        start = time.monotonic()
        result = grade_one(path, course, rubric, limits, jobs)
        result["seconds"] = round(time.monotonic() - start, 3)
        results.append(result)
        with atomic_file(out / f"{index:04d}-{path.stem or 'submission'}.json", "w") as f:
            f.write(json.dumps(result, indent=1))
        if on_result is not None:
            on_result(result)
    write_gradebook(results, rubric, out)
    return results
