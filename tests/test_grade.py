"""`fcnet grade`: many submissions (folders, zips, single files) with a rubric, a gradebook, Gradescope's
results.json and autograder zip (issue: the course's checker and autograder)."""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fcnet.grader.checker import COURSES
from fcnet.grader.grade import unpack
from fcnet.grader.rubric import default_rubric, read_rubric, to_toml
from fcnet.grader.checker import SubmissionError

SUBMISSIONS = Path(__file__).parent / "grader_submissions"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
SPECS = COURSES["cs231n"][1]


def fcnet(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "fcnet", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        env=ENV,
        cwd=cwd,
    )


def small_rubric(tmp_path, **extra):
    text = "\n".join(
        [
            "[rubric]",
            f'reference_import = "{extra.get("policy", "zero")}"',
            "",
            "[functions.affine_forward]",
            "points = 2",
            "",
            "[functions.rmsprop]",
            "points = 3",
            "partial = false",
            'visibility = "after_due_date"',
            "",
        ]
    )
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    return path


def test_the_default_rubric_round_trips_through_toml(tmp_path):
    rubric = default_rubric(SPECS)
    path = tmp_path / "rubric.toml"
    path.write_text(to_toml(rubric, "cs231n"))
    assert read_rubric(path, SPECS) == rubric
    assert rubric.max_score == 33.0  # 27 for assignment 2, 3 x 2 for assignment 1's TwoLayerNet


@pytest.mark.parametrize(
    "text, message",
    [
        ("[functions.conv_forward]\npoints = 1\n", "unknown function(s) ['conv_forward']"),
        ("[functions.adam]\npoints = -1\n", "points must be a number in [0, 1e6], got -1"),
        ('[functions.adam]\nvisibility = "secret"\n', "visibility must be one of"),
        (
            '[rubric]\nreference_import = "forgive"\n[functions.adam]\n',
            "reference_import must be one of",
        ),
        ("[functions.adam\n", "is not TOML"),
        ("[grades]\n", "unknown section(s) ['grades']"),
    ],
)
def test_a_bad_rubric_is_refused_naming_the_file_and_key(tmp_path, text, message):
    path = tmp_path / "r.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=None) as info:
        read_rubric(path, SPECS)
    assert message in str(info.value) and str(path) in str(info.value)


def test_unpack_refuses_zips_that_escape_or_explode(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../outside.py", "x = 1")
    with pytest.raises(SubmissionError, match="would land outside the folder"):
        unpack(evil, "cs231n", tmp_path / "a")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("cs231n/layers.py", "#" * (300 * 2**20))
    with pytest.raises(SubmissionError, match="unpacks to 314,572,800 bytes"):
        unpack(bomb, "cs231n", tmp_path / "b")
    (tmp_path / "notes.py").write_text("")  # read as an exported notebook, which defines nothing
    with pytest.raises(SubmissionError, match="notes.py defines no function or class"):
        unpack(tmp_path / "notes.py", "cs231n", tmp_path / "c")
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(
        SubmissionError, match="a submission is a folder, a .zip, one of cs231n's files"
    ):
        unpack(tmp_path / "notes.txt", "cs231n", tmp_path / "d")


@pytest.mark.slow
def test_fcnet_grade_writes_a_gradebook_for_folders_zips_and_files(tmp_path):
    shutil.copytree(SUBMISSIONS / "other_formulas", tmp_path / "alice")
    shutil.make_archive(str(tmp_path / "bob"), "zip", SUBMISSIONS / "other_formulas")
    carol = tmp_path / "carol"
    carol.mkdir()
    optim = (SUBMISSIONS / "other_formulas" / "cs231n" / "optim.py").read_text()
    (carol / "optim.py").write_text(optim.replace("np.sqrt(cache) + config", "cache + config"))
    rubric = small_rubric(tmp_path)
    done = fcnet(
        "grade",
        "alice",
        "bob.zip",
        "carol/optim.py",
        "--course",
        "cs231n",
        "--rubric",
        rubric,
        "--out",
        "grades",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader((tmp_path / "grades" / "gradebook.csv").open()))
    assert [(r["submission"], r["total"], r["affine_forward"], r["rmsprop"]) for r in rows] == [
        ("alice", "5.0", "2.0", "3.0"),
        ("bob.zip", "5.0", "2.0", "3.0"),
        ("carol/optim.py", "0.0", "0.0", "0.0"),
    ]
    reports = sorted((tmp_path / "grades").glob("*.json"))
    assert len(reports) == 3
    carol_report = json.loads(reports[2].read_text())
    assert carol_report["functions"]["rmsprop"]["hint"].startswith("no square root of the cache")


def validate_gradescope(results):
    """Gradescope's documented results.json schema (the fields fcnet writes, with their types)."""
    assert isinstance(results["score"], (int, float)) and isinstance(
        results["execution_time"], (int, float)
    )
    assert results.get("visibility", "visible") in (
        "visible",
        "hidden",
        "after_due_date",
        "after_published",
    )
    for test in results["tests"]:
        assert set(test) <= {
            "score",
            "max_score",
            "status",
            "name",
            "name_format",
            "number",
            "output",
            "output_format",
            "tags",
            "visibility",
            "extra_data",
        }
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(
            test["max_score"], (int, float)
        )
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")


@pytest.mark.slow
def test_gradescope_layout_gives_a_valid_results_json(tmp_path):
    root = tmp_path / "autograder"
    shutil.copytree(SUBMISSIONS / "other_formulas", root / "submission")
    optim = root / "submission" / "cs231n" / "optim.py"
    optim.write_text(optim.read_text().replace("np.sqrt(cache) + config", "cache + config"))
    rubric = small_rubric(tmp_path)
    done = fcnet(
        "grade",
        "--gradescope",
        "--gradescope-root",
        root,
        "--course",
        "cs231n",
        "--rubric",
        rubric,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    validate_gradescope(results)
    tests = {t["name"]: t for t in results["tests"]}
    assert results["score"] == 2.0 and tests["affine_forward"]["status"] == "passed"
    assert tests["rmsprop"]["score"] == 0 and tests["rmsprop"]["visibility"] == "after_due_date"
    assert "hint: no square root of the cache" in tests["rmsprop"]["output"]


def test_make_autograder_writes_what_gradescope_runs(tmp_path):
    done = fcnet(
        "grade", "make-autograder", "--course", "cs231n", "--out", "autograder.zip", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "autograder.zip") as z:
        names = set(z.namelist())
        assert {
            "setup.sh",
            "run_autograder",
            "rubric.toml",
            "fcnet/__init__.py",
            "fcnet/grader/plan_runner.py",
        } <= names
        assert "--gradescope --course cs231n" in z.read("run_autograder").decode()
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111


def test_print_rubric_prints_the_default(tmp_path):
    done = fcnet("grade", "--print-rubric", "--course", "cs231n", cwd=tmp_path)
    assert done.returncode == 0 and "[functions.affine_backward]\npoints = 2.0" in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["grade", "x"], "the following arguments are required: --course"),
        (["grade", "--course", "cs999", "x"], "--course must be one of"),
        (["grade", "--course", "cs231n"], "give the submissions to grade"),
        (["grade", "missing", "--course", "cs231n"], "missing: no such submission"),
        (
            ["grade", "make-autograder", "--course", "cs231n"],
            "make-autograder needs --out FILE.zip",
        ),
        (
            ["grade", "--gradescope", "--gradescope-root", "nowhere", "--course", "cs231n"],
            "does not exist",
        ),
    ],
)
def test_fcnet_grade_refuses_bad_arguments_in_one_line(tmp_path, args, message):
    done = fcnet(*args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, (
        done.stderr
    )
