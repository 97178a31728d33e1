""" "Deep Learning from Scratch" in the grader (`fcnet check --course dlfs`): the book's functions, layer objects,
optimizers and ch05's TwoLayerNet; the reference passes, code written differently passes, each planted mistake is
found by its check (issue: the course's checker and autograder)."""

import json
import shutil
from pathlib import Path

import pytest

from fcnet.grader.checker import COURSES, _context, _reference_functions, check_submission
from fcnet.grader.judge import judge
from fcnet.grader.sandbox import Limits, reference_results

SUBMISSIONS = Path(__file__).parent / "grader_submissions" / "dlfs_other"
FAST = Limits(cpu_seconds=4, wall_seconds=8.0)


def test_the_reference_passes_every_check_of_the_book():
    for spec in COURSES["dlfs"][1]:
        reference = _reference_functions(spec.reference)
        plan = [case.step for case in spec.cases]
        results = reference_results(reference, plan)
        status, checks = judge(
            spec, results, reference_results(reference, plan), _context(spec, "keep")
        )
        assert status == "passed", (spec.name, [c for c in checks if c.status != "passed"])


def test_the_references_gradients_agree_with_its_own_centred_differences():
    """What the hints lean on: for every layer and the network, the sandbox's centred differences of the
    reference's own forward equal its backward (the book's 1e-7 in the log stays below 1e-5)."""
    import numpy as np

    from fcnet.grader.compare import rel_error

    for spec in COURSES["dlfs"][1]:
        if spec.kind not in ("layer_object", "book_net"):
            continue
        for case in spec.cases:
            result = reference_results(_reference_functions(spec.reference), [case.step])[0]
            if "grads" not in result:  # batch norm's test mode: forward only
                continue
            values = (
                {"dx": result["grads"][0], **result["attrs"]}
                if spec.kind == "layer_object"
                else result["grads"]
            )
            for name, numeric in result.get("numeric", {}).items():
                error = rel_error(np.asarray(values[name]), np.asarray(numeric))
                assert error < 1e-5, (spec.name, case.name, name, error)


def test_code_written_differently_passes_and_the_course_is_detected():
    report = check_submission(SUBMISSIONS, limits=FAST)
    assert report["course"] == "dlfs"
    failing = {k: v["checks"] for k, v in report["functions"].items() if v["status"] != "passed"}
    assert not failing
    assert report["score"] == report["max_score"] == 16


MISTAKES = [
    (
        "common/layers.py",
        "self.db = dout.sum(axis=0)",
        "self.db = dout.mean(axis=0)",
        "Affine",
        "db, 2-D input",
        "1/N times the right answer",
    ),
    (
        "common/layers.py",
        "return (dout @ self.W.T).reshape(self.shape)",
        "return dout @ self.W.T",
        "Affine",
        "dx, N-D input",
        "shape",
    ),
    (
        "common/layers.py",
        "return dout * (self.y - target) / n",
        "return dout * (self.y - target)",
        "SoftmaxWithLoss",
        "dx, labels",
        "N times the right answer",
    ),
    (
        "common/layers.py",
        "return x * self.mask\n",
        "return x * self.mask / (1.0 - self.dropout_ratio)\n",
        "Dropout",
        "kept units unchanged, train mode, dropout_ratio = 0.3",
        "not inverted",
    ),
    (
        "common/layers.py",
        "self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu",
        "self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu",
        "BatchNormalization",
        "running_mean, train mode",
        "self.running_mean",
    ),
    (
        "common/layers.py",
        "* (n * dxhat - dxhat.sum(axis=0) - self.xhat * (dxhat * self.xhat).sum(axis=0))",
        "* (n * dxhat - self.xhat * (dxhat * self.xhat).sum(axis=0))",
        "BatchNormalization",
        "dx, train mode",
        "it is not the gradient of your forward either",
    ),
    (
        "common/optimizer.py",
        "step = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)",
        "step = self.lr",
        "Adam",
        "params['W1'] after update 1, from its defaults",
        "differs from the right answer",
    ),
    (
        "common/functions.py",
        "return -np.mean(np.log(picked + 1e-7))",
        "return -np.sum(np.log(picked + 1e-7))",
        "cross_entropy_error",
        "out, labels",
        "N times the right answer",
    ),
    (
        "ch05/two_layer_net.py",
        '"W2": self.layers["Affine2"].dW,',
        '"W2": self.layers["Affine2"].dW.T,',
        "TwoLayerNet",
        "gradient W2, labels",
        "transpose",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("path, old, new, function, check, message", MISTAKES)
def test_a_planted_mistake_is_found_by_its_check(
    tmp_path, path, old, new, function, check, message
):
    shutil.copytree(SUBMISSIONS, tmp_path / "book")
    source = (tmp_path / "book" / path).read_text()
    assert old in source
    (tmp_path / "book" / path).write_text(source.replace(old, new))
    report = check_submission(tmp_path / "book", "dlfs", limits=FAST, functions=[function])
    verdict = report["functions"][function]
    assert verdict["status"] == "failed", verdict
    assert any(c["name"] == check and message in c["message"] for c in verdict["checks"]), verdict[
        "checks"
    ]


def test_an_error_never_points_into_the_graders_own_scripts(tmp_path):
    """An error in the student's code names the student's line; one the runner hits on what the student's code
    returned (a history that is no dict) names no line of the grader's scripts (plan_*.py)."""
    shutil.copytree(SUBMISSIONS, tmp_path / "book")
    layers = tmp_path / "book" / "common" / "layers.py"
    source = layers.read_text()
    old = "        return np.where(self.mask, 0.0, dout)\n"
    assert old in source
    layers.write_text(source.replace(old, "        raise ValueError('boom')\n"))
    verdict = check_submission(tmp_path / "book", "dlfs", limits=FAST, functions=["Relu"])[
        "functions"
    ]["Relu"]
    line = next(i for i, text in enumerate(layers.read_text().splitlines(), 1) if "boom" in text)
    assert f"ValueError: boom (at layers.py:{line})" in verdict["hint"], verdict

    package = tmp_path / "cs231n"
    shutil.copytree(
        Path(__file__).parent / "grader_submissions" / "other_formulas" / "cs231n", package
    )
    net = package / "classifiers" / "neural_net.py"
    source = net.read_text()
    old = '        return {\n            "loss_history": loss_history,'
    assert old in source
    net.write_text(
        source.replace(
            old,
            '        return [1, 2]\n        return {\n            "loss_history": loss_history,',
        )
    )
    verdict = check_submission(tmp_path, "cs231n", limits=FAST, functions=["TwoLayerNet.train"])[
        "functions"
    ]["TwoLayerNet.train"]
    assert verdict["status"] in ("error", "failed")
    assert "plan_" not in json.dumps(verdict), verdict
