"""Notebooks as submissions (`fcnet check notebook.ipynb`, `fcnet grade *.py`): what a notebook defines is
checked where the course keeps it; what it runs (data loading, training, prints, magics) is not run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fcnet.grader.checker import COURSES, SubmissionError, check_submission
from fcnet.grader.notebooks import NotebookError, definitions
from fcnet.grader.sandbox import Limits

SUBMISSIONS = Path(__file__).parent / "grader_submissions"
FAST = Limits(cpu_seconds=4, wall_seconds=8.0)
LAYERS = (SUBMISSIONS / "other_formulas" / "cs231n" / "layers.py").read_text()


def notebook_cells() -> list[str]:
    """An assignment notebook as students write it: magics, the course's imports (its data loader is not in the
    sandbox), the layers in a cell, then cells that load data, train and print."""
    return [
        "%matplotlib inline\n%load_ext autoreload\n!echo hello",
        "import numpy as np\nimport matplotlib.pyplot as plt\n"
        "from cs231n.data_utils import get_CIFAR10_data\nfrom cs231n.gradient_check import *",
        LAYERS,
        "data = get_CIFAR10_data()\nfor k, v in data.items():\n    print(k, v.shape)",
        "raise SystemExit('a cell that stops the notebook')",
        "while True:\n    pass",
    ]


def test_definitions_keep_what_the_notebook_defines_and_drop_what_it_runs():
    source = definitions("\n\n".join(notebook_cells()))
    assert "def affine_backward" in source and "get_CIFAR10_data()" not in source
    assert "while True" not in source and "SystemExit" not in source
    assert (
        "try:\n    from cs231n.data_utils import get_CIFAR10_data\nexcept ImportError:" in source
    )
    compile(source, "notebook", "exec")


def test_a_notebook_that_defines_nothing_or_does_not_parse_is_refused():
    with pytest.raises(NotebookError, match="defines no function or class"):
        definitions("x = load()\nprint(x)")
    with pytest.raises(NotebookError, match="does not parse as Python"):
        definitions("def f(:\n  pass")


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_a_notebook_is_checked_as_the_courses_files(tmp_path, suffix):
    cells = notebook_cells()
    path = tmp_path / f"assignment2{suffix}"
    if suffix == ".py":  # jupyter nbconvert --to script writes cells as "# In[ ]:" blocks
        path.write_text("\n\n".join(f"# In[{i}]:\n\n{c}" for i, c in enumerate(cells)))
    else:
        notebook = {
            "cells": [
                {"cell_type": "code", "source": c.splitlines(keepends=True), "metadata": {}}
                for c in cells
            ]
            + [{"cell_type": "markdown", "source": ["# Fully-connected nets"], "metadata": {}}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        path.write_text(json.dumps(notebook))
    report = check_submission(path, limits=FAST)
    assert report["course"] == "cs231n"
    layers = {s.name for s in COURSES["cs231n"][1] if s.module == "cs231n.layers"}
    assert "affine_backward" in layers and "affine_batchnorm_relu_chain" in layers
    # every layer function the notebook defines, and their chain
    assert set(report["functions"]) == layers
    failing = {k: v["checks"] for k, v in report["functions"].items() if v["status"] != "passed"}
    assert not failing


def test_a_notebook_of_no_course_is_refused_in_one_line(tmp_path):
    path = tmp_path / "homework.py"
    path.write_text("def unrelated():\n    return 1\n")
    with pytest.raises(SubmissionError, match="defines none of the courses' functions"):
        check_submission(path, limits=FAST)


@pytest.mark.slow
def test_fcnet_grade_takes_notebooks(tmp_path):
    good = tmp_path / "alice.ipynb"
    good.write_text(
        json.dumps(
            {
                "cells": [{"cell_type": "code", "source": c} for c in notebook_cells()],
                "nbformat": 4,
            }
        )
    )
    broken = tmp_path / "bob.py"
    broken.write_text(LAYERS.replace("dw = np.einsum", "dw = 2 * np.einsum"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fcnet",
            "grade",
            str(good),
            str(broken),
            "--course",
            "cs231n",
            "--out",
            str(tmp_path / "grades"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    book = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()
    assert len(book) == 3
    header = book[0].split(",")
    rows = {Path(line.split(",")[0]).name: dict(zip(header, line.split(","))) for line in book[1:]}
    assert set(rows) == {"alice.ipynb", "bob.py"}
    assert (
        rows["alice.ipynb"]["affine_backward"]
        == rows["alice.ipynb"]["layernorm_backward"]
        == "2.0"
    )
    assert float(rows["bob.py"]["affine_backward"]) < 2.0  # dw doubled: part of its checks fail
    assert rows["bob.py"]["affine_forward"] == "1.0"


def test_a_cells_future_import_opens_the_module():
    """Each notebook cell compiles alone, so `from __future__ import ...` may sit in any cell; the definitions
    put it first (where Python requires it), not inside the try that guards the other imports."""
    source = definitions(
        "import numpy as np\n\nfrom __future__ import print_function\n\ndef f():\n    pass\n"
    )
    assert source.startswith("from __future__ import print_function\n")
    compile(source, "notebook", "exec")


@pytest.mark.slow
def test_a_file_two_levels_down_with_python_2_imports_is_checked(tmp_path):
    """cs231n assignment 1's template: classifiers/neural_net.py opens with `from __future__ import
    print_function` and `from past.builtins import xrange` (the `future` package, rarely installed): checked as
    the course's file, and the import does not fail it."""
    folder = tmp_path / "assignment1" / "cs231n" / "classifiers"
    folder.mkdir(parents=True)
    source = (
        SUBMISSIONS / "other_formulas" / "cs231n" / "classifiers" / "neural_net.py"
    ).read_text()
    header = "from __future__ import print_function\nfrom past.builtins import xrange\n"
    (folder / "neural_net.py").write_text(header + source)
    report = check_submission(folder / "neural_net.py", limits=FAST)
    assert report["course"] == "cs231n"
    assert {k: v["status"] for k, v in report["functions"].items()} == {
        "TwoLayerNet.loss": "passed",
        "TwoLayerNet.predict": "passed",
        "TwoLayerNet.train": "passed",
    }
