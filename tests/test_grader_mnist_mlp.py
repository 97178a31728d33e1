"""The MNIST-MLP homework (bilibili 《数之道》) in the grader (`fcnet check --course mnist_mlp`): a notebook whose
update functions keep their state in the notebook's globals (v, u, s, grads_squared); code written differently
passes, each planted mistake is found with its hint, the course's own bug (cross_entropy_error's pred[:, y]) is
not charged to the student (issue: the course's checker and autograder)."""

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fcnet.grader.checker import COURSES, SubmissionError, check_submission
from fcnet.grader.plan_objects import run_course_update
from fcnet.grader.sandbox import Limits

NOTEBOOK = (
    Path(__file__).parent / "grader_submissions" / "mnist_mlp_other" / "MNIST_MLP_homework.py"
)
FAST = Limits(cpu_seconds=4, wall_seconds=8.0)


def planted(tmp_path: Path, old: str, new: str, name: str = "MNIST_MLP_homework.py") -> Path:
    source = NOTEBOOK.read_text()
    assert old in source
    path = tmp_path / name
    path.write_text(source.replace(old, new))
    return path


def as_ipynb(source: str, path: Path) -> Path:
    """The exported script back as a notebook: one code cell per `# In[k]:` block."""
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": block,
        }
        for block in re.split(r"# In\[\d*\]:", source)
    ]
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


@pytest.mark.slow
def test_a_notebook_written_differently_passes_and_the_course_is_detected():
    report = check_submission(NOTEBOOK, limits=FAST)
    assert report["course"] == "mnist_mlp"
    failing = {k: v["checks"] for k, v in report["functions"].items() if v["status"] != "passed"}
    assert not failing
    assert report["score"] == report["max_score"] == 12
    # the course's finished loss indexes pred[:, y]: judged with the reference's, in both runs
    assert "pred[:, y]" in NOTEBOOK.read_text()
    assert report["functions"]["TwoLayerNet.loss"]["with_your_layers"]["status"] == "passed"


def test_the_update_functions_find_their_state_in_the_notebooks_globals(tmp_path):
    """The notebook's `v, u = initialize_adam(network)` is a top-level call the grader drops: the plan binds v and
    u to zeros first, counts network.t from 1, and the notebook's update passes."""
    report = check_submission(
        as_ipynb(NOTEBOOK.read_text(), tmp_path / "homework.ipynb"),
        "mnist_mlp",
        limits=FAST,
        functions=["update_parameters_with_adam", "initialize_adambelief"],
    )
    assert {k: v["status"] for k, v in report["functions"].items()} == {
        "update_parameters_with_adam": "passed",
        "initialize_adambelief": "passed",
    }


def test_the_plan_leaves_the_modules_globals_as_it_found_them():
    import types

    module = types.ModuleType("notebook")
    exec(
        "import numpy as np\nv = 'mine'\n"
        "def update(network, grads, learning_rate=0.1):\n"
        "    for key in grads:\n"
        "        v[key] = 0.5 * v[key] + grads[key]\n"
        "        network.params[key] -= learning_rate * v[key]\n",
        module.__dict__,
    )
    w = {"array": [[1.0, 2.0]], "dtype": "<f8"}
    step = {"fn": "update", "params": {"W1": w}, "grads": [{"W1": w}] * 2, "state": ["v", "u"]}
    result = run_course_update({"update": module.update}, step)
    # v = g, then 1.5 g: W = 1 - 0.1 - 0.15 = 0.75 of itself
    np.testing.assert_allclose(result["steps"][1]["params"]["W1"]["array"], [[0.75, 1.5]])
    assert module.v == "mine" and not hasattr(module, "u")


def test_a_notebook_that_does_not_parse_says_so_with_its_line(tmp_path):
    path = planted(
        tmp_path, "def update_parameters_with_adam(", "def update_parameters_with_adam(("
    )
    with pytest.raises(SubmissionError, match=r"does not parse as Python.*line \d+"):
        check_submission(path, "mnist_mlp", limits=FAST)


MISTAKES = [
    (
        "        return np.where(self.mask, self.alpha * dout, dout)",
        "        return np.where(self.mask, dout, self.alpha * dout)",
        "LeakyRelu",
        "backward scales the wrong side",
    ),
    (
        "        return np.where(self.mask, self.alpha * dout, dout)",
        "        return dout",
        "LeakyRelu",
        "backward lets every gradient through",
    ),
    (
        "        m_hat = v[key] / (1 - beta1 ** t)\n        u_hat = u[key] / (1 - beta2 ** t)",
        "        m_hat = v[key]\n        u_hat = u[key]",
        "update_parameters_with_adam",
        "no bias correction",
    ),
    (
        "        network.params[key] -= v[key]\n    return\n\n\ndef update_parameters_with_nesterov",
        "        network.params[key] = network.params[key] - v[key]\n    return\n\n\n"
        "def update_parameters_with_nesterov",
        "update_parameters_with_momentum",
        "new arrays in network.params",
    ),
    (
        "        v[key] = beta1 * v[key] + (1 - beta1) * grads[key]\n        belief = grads[key] - v[key]",
        "        belief = grads[key] - v[key]\n        v[key] = beta1 * v[key] + (1 - beta1) * grads[key]",
        "update_parameters_with_adambelief",
        "the belief from v before its update",
    ),
    (
        "        np.add(grads_squared[key], np.square(grads[key]), out=grads_squared[key])",
        "        grads_squared[key] = np.square(grads[key])",
        "update_parameters_with_adagrad",
        "the squared gradients not accumulated",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("old, new, function, title", MISTAKES)
def test_a_planted_mistake_gets_its_hint(tmp_path, old, new, function, title):
    path = planted(tmp_path, old, new)
    report = check_submission(path, "mnist_mlp", limits=FAST, functions=[function])
    verdict = report["functions"][function]
    assert verdict["status"] == "failed", verdict
    assert verdict["hint"].startswith(title), verdict["hint"]


def test_a_mistake_in_the_layers_is_charged_to_the_layer_not_to_the_network(tmp_path):
    path = planted(
        tmp_path,
        "        self.db = dout.sum(axis=0)",
        "        self.db = dout.mean(axis=0)",
    )
    report = check_submission(
        path, "mnist_mlp", limits=FAST, functions=["Affine", "TwoLayerNet.loss"]
    )
    functions = report["functions"]
    assert functions["Affine"]["status"] == "failed"
    assert functions["TwoLayerNet.loss"]["status"] == "passed"
    assert functions["TwoLayerNet.loss"]["with_your_layers"]["status"] == "failed"
    assert "fix the layers' failed checks first" in functions["TwoLayerNet.loss"]["hint"]


def test_an_initializer_returning_one_array_under_two_names_fails(tmp_path):
    path = planted(
        tmp_path,
        "    return ({k: np.zeros(network.params[k].shape) for k in keys},\n"
        "            {k: np.zeros(network.params[k].shape) for k in keys})",
        "    v = {k: np.zeros(network.params[k].shape) for k in keys}\n    return v, v",
    )
    report = check_submission(path, "mnist_mlp", limits=FAST, functions=["initialize_adambelief"])
    verdict = report["functions"]["initialize_adambelief"]
    assert verdict["status"] == "failed"
    assert [c["name"] for c in verdict["checks"] if c["status"] == "failed"] == [
        "separate state, a network of six parameters"
    ]


def test_an_update_left_as_the_template_is_missing(tmp_path):
    path = planted(
        tmp_path,
        "    for key in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'):\n        v[key] = v[key] * beta + grads[key] * "
        "learning_rate\n        network.params[key] -= v[key]\n    return",
        "    ### START CODE HERE ###\n\n    ### END CODE HERE ###\n    return",
    )
    report = check_submission(
        path, "mnist_mlp", limits=FAST, functions=["update_parameters_with_momentum"]
    )
    assert report["functions"]["update_parameters_with_momentum"]["status"] == "missing"


def test_a_folder_with_mnist_mlp_py_is_the_course_and_a_folder_named_so_is_not_a_package(tmp_path):
    # the folder's name is the module's: it holds the file, it is no package
    folder = tmp_path / "mnist_mlp"
    folder.mkdir()
    source = NOTEBOOK.read_text()
    start = source.index("def initialize_parameters")
    end = source.index("# In[4]:")
    (folder / "mnist_mlp.py").write_text(
        "import numpy as np\nfrom collections import OrderedDict\nfrom functools import reduce\n\n\n"
        + source[start:end]
    )
    report = check_submission(folder, limits=FAST, functions=["LeakyRelu"])
    assert report["course"] == "mnist_mlp"
    assert report["functions"]["LeakyRelu"]["status"] == "passed"
    one_file = check_submission(folder / "mnist_mlp.py", limits=FAST, functions=["Affine"])
    assert one_file["functions"]["Affine"]["status"] == "passed"


@pytest.mark.slow
def test_fcnet_grade_writes_the_courses_gradebook(tmp_path):
    broken = planted(
        tmp_path,
        "        return np.where(self.mask, self.alpha * dout, dout)",
        "        return dout",
        "student_b.py",
    )
    good = tmp_path / "student_a.py"
    shutil.copyfile(NOTEBOOK, good)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "fcnet", "grade", str(good), str(broken)]
        + ["--course", "mnist_mlp", "--out", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = {
        Path(row["submission"]).stem: row for row in csv.DictReader(open(out / "gradebook.csv"))
    }
    names = {spec.name for spec in COURSES["mnist_mlp"][1]}
    assert names <= set(rows["student_a"])
    assert rows["student_a"]["total"] == rows["student_a"]["possible"]
    assert float(rows["student_b"]["LeakyRelu"]) < float(rows["student_a"]["LeakyRelu"])
