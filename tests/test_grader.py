"""fcnet.grader (`fcnet check`): references pass, independently written correct code passes, every known mistake
is caught with its own hint, hostile code fails alone (issue: the course's checker and autograder)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fcnet.grader import mistakes
from fcnet.grader.checker import COURSES, _hint, _reference_functions, check_submission
from fcnet.grader.mistakes import course_mutant
from fcnet.grader.judge import judge
from fcnet.grader.sandbox import Limits, isolation, reference_results

SUBMISSIONS = Path(__file__).parent / "grader_submissions"
FAST = Limits(cpu_seconds=4, wall_seconds=8.0)
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def spec_of(function, course="cs231n"):
    return next(s for s in COURSES[course][1] if s.name == function)


def judged(functions, spec, convention="keep"):
    reference = _reference_functions(spec.reference)
    plan = [case.step for case in spec.cases]
    results = reference_results({**reference, **functions}, plan)
    return judge(
        spec, results, reference_results(reference, plan), {"dropout_convention": convention}
    )


def _catalogue_cases():
    """(course, mistake) for every catalogue entry and every course that has its function (ECE: in its drop
    convention and its names for the rules' state)."""
    cases = []
    for course in ("cs231n", "ece", "dlfs", "mnist_mlp"):
        convention = COURSES[course][2]
        names = {s.name: s.kind for s in COURSES[course][1]}
        for m in mistakes.CATALOGUE:
            if m.function in names and convention in m.conventions:
                cases.append(pytest.param(course, m, id=f"{course}-{m.key}"))
    return cases


@pytest.mark.parametrize("course, mistake", _catalogue_cases())
def test_every_known_mistake_is_caught_and_gets_its_own_hint(course, mistake):
    spec = spec_of(mistake.function, course)
    convention = COURSES[course][2]
    status, checks = judged(course_mutant(course, mistake), spec, convention)
    assert status in ("failed", "error"), [c for c in checks if c.status != "passed"]
    # a mutant raises only where the student's code would (x not reshaped: N-D input cannot multiply)
    assert all(c.label != "error" for c in checks) or mistake.key == "affine_no_reshape", checks
    if status == "failed":
        assert _hint(course, spec, checks, convention) == f"{mistake.title}: {mistake.hint}"
    else:  # it raises on valid input: the error is what the student reads
        assert any("Error" in c.message for c in checks)


def test_the_catalogues_signatures_are_distinct_within_each_function():
    seen = {}
    for mistake in mistakes.for_function_all("keep"):
        course = next(
            c
            for c in ("cs231n", "dlfs", "mnist_mlp")
            if mistake.function in {s.name for s in COURSES[c][1]}
        )
        spec = spec_of(mistake.function, course)
        _, checks = judged(mistake.mutant(), spec)
        signature = (
            mistake.function,
            tuple(sorted((c.name, c.label) for c in checks if c.status != "passed")),
        )
        assert signature not in seen, (
            f"{mistake.key} and {seen.get(signature)} leave the same signature"
        )
        seen[signature] = mistake.key


def test_the_reference_judged_in_process_passes_every_check():
    for course in ("cs231n", "ece", "mnist_mlp"):
        for spec in COURSES[course][1]:
            status, checks = judged({}, spec, COURSES[course][2])
            assert status == "passed", (spec.name, [c for c in checks if c.status != "passed"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "change, check, message",
    [
        (
            "loss += 0.5 * self.reg * sum(",
            "L2 term, reg 3.14",
            "(the 0.5 is missing, or the term is added twice)",
        ),
        (
            'self.params["W%d" % i] = weight_scale * np.random.randn(fan_in, fan_out)',
            "parameters, no L2",
            "has W1 (10, 6) (expected (6, 10))",
        ),
        (
            'grads["W%d" % i] = grads["W%d" % i] + self.reg * self.params["W%d" % i]',
            "gradient of W1, reg 3.14",
            "differs from the loss's centred differences",
        ),
        (
            "        return loss, grads\n",
            "training, overfits 50 samples",
            "the gradients do not lower the loss as they should",
        ),
    ],
)
def test_a_network_mistake_is_found_by_its_check(tmp_path, change, check, message):
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    net = package / "classifiers" / "fc_net.py"
    source = net.read_text()
    assert change in source
    mistakes_made = {
        "loss += 0.5 * self.reg * sum(": "loss += 1.0 * self.reg * sum(",
        'self.params["W%d" % i] = weight_scale * np.random.randn(fan_in, fan_out)': 'self.params["W%d" % i] = weight_scale * np.random.randn(fan_out, fan_in)',
        'grads["W%d" % i] = grads["W%d" % i] + self.reg * self.params["W%d" % i]': 'grads["W%d" % i] = grads["W%d" % i]',
        "        return loss, grads\n": "        return loss, {k: -g for k, g in grads.items()}\n",
    }
    net.write_text(source.replace(change, mistakes_made[change]))
    verdict = check_submission(tmp_path, "cs231n", limits=FAST, functions=["FullyConnectedNet"])[
        "functions"
    ]["FullyConnectedNet"]
    assert verdict["status"] in ("failed", "error")
    assert any(c["name"] == check and message in c["message"] for c in verdict["checks"]), verdict[
        "checks"
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "course, change, function, check, message",
    [
        (
            "cs231n",
            ("loss = data_loss + reg *", "loss = data_loss + 0.5 * reg *"),
            "TwoLayerNet.loss",
            "loss, toy model, reg 0.05",
            "this course's L2 term is reg * sum(W**2) (no 0.5)",
        ),
        (
            "ece",
            ("loss = data_loss + 0.5 * reg *", "loss = data_loss + reg *"),
            "TwoLayerNet.loss",
            "loss, toy model, reg 0.05",
            "this course's L2 term is 0.5 * reg * sum(W**2)",
        ),
        (
            "cs231n",
            (
                'grads["W1"] = X.T.dot(dhidden) + 2 * reg * p["W1"]',
                'grads["W1"] = X.T.dot(dhidden)',
            ),
            "TwoLayerNet.loss",
            "grads['W1'], toy model, reg 0.05",
            "it is not the gradient of your loss either",
        ),
        (
            "cs231n",
            ("self.params[name] - learning_rate", "self.params[name] + learning_rate"),
            "TwoLayerNet.train",
            "the loss falls, three blobs, 100 steps",
            "is the update params -= learning_rate * grads",
        ),
        (
            "cs231n",
            ("return self.loss(X).argmax(axis=1)", "return self.loss(X).argmin(axis=1)"),
            "TwoLayerNet.predict",
            "labels, toy model",
            "predict(X)",
        ),
    ],
)
def test_a_two_layer_net_mistake_is_found_by_its_check(
    tmp_path, course, change, function, check, message
):
    """The assignment-1 TwoLayerNet (cs231n assignment 1, ECE C147 HW3): each method judged on its own."""
    folder = {"cs231n": "other_formulas", "ece": "ece_other"}[course]
    if course == "ece":
        ece_submission(tmp_path / folder)
    else:
        shutil.copytree(SUBMISSIONS / folder, tmp_path / folder)
    package = "cs231n/classifiers" if course == "cs231n" else "nndl"
    net = tmp_path / folder / package / "neural_net.py"
    source = net.read_text()
    assert change[0] in source
    net.write_text(source.replace(change[0], change[1]))
    verdict = check_submission(tmp_path / folder, course, limits=FAST, functions=[function])[
        "functions"
    ][function]
    assert verdict["status"] == "failed"
    assert any(c["name"] == check and message in c["message"] for c in verdict["checks"]), verdict[
        "checks"
    ]


@pytest.mark.slow
def test_a_layer_mistake_is_charged_to_the_layer_not_to_the_network(tmp_path):
    """The network is judged on the reference layers (partial credit, as a teacher grades): a wrong
    affine_backward fails affine_backward, and FullyConnectedNet passes, its run on the student's own layers
    reported beside it with a hint that sends the student to the layer."""
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    layers = package / "layers.py"
    source = layers.read_text()
    wrong = '    db = np.einsum("nm->m", dout)\n'
    assert wrong in source
    layers.write_text(source.replace(wrong, '    db = np.einsum("nm->m", dout) / len(dout)\n'))
    report = check_submission(
        tmp_path, "cs231n", limits=FAST, functions=["affine_backward", "FullyConnectedNet"]
    )["functions"]
    assert report["affine_backward"]["status"] == "failed"
    network = report["FullyConnectedNet"]
    assert network["status"] == "passed", network["checks"]
    assert network["with_your_layers"]["status"] == "failed"
    assert any(
        c["name"].startswith("gradient of b") and c["status"] == "failed"
        for c in network["with_your_layers"]["checks"]
    )
    assert "right on the reference layers but not on yours" in network["hint"]


def test_a_network_that_imports_the_reference_is_flagged_on_the_reference_layers_too(tmp_path):
    """Swapping in the reference layers makes fcnet visible to that run; a network that imports fcnet's own
    FullyConnectedNet is still flagged (what the student's code imported, not what the grader did)."""
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    net = package / "classifiers" / "fc_net.py"
    net.write_text(
        "from fcnet.courses.cs231n.classifiers.fc_net import FullyConnectedNet  # noqa\n"
    )
    spec = spec_of("FullyConnectedNet")
    from fcnet.grader.sandbox import run_in_sandbox

    child = run_in_sandbox(tmp_path, spec.module, [spec.cases[0].step], FAST, swap_in=spec.swap_in)
    assert child.import_error is None and child.results
    assert "fcnet" in child.imported


def drop_convention_layers() -> str:
    """The independently written cs231n layers.py turned into the drop convention (p = the drop probability), as
    ECE C147's templates and cs231n's of 2017 read it."""
    source = (SUBMISSIONS / "other_formulas" / "cs231n" / "layers.py").read_text()
    for old, new in [
        (
            "We keep each neuron output with probability p.",
            "We drop each neuron output with probability p.",
        ),
        (
            "mask = np.random.uniform(size=x.shape) < p\n        out = np.where(mask, x / p, 0.0)",
            "mask = np.random.uniform(size=x.shape) >= p\n        out = np.where(mask, x / (1 - p), 0.0)",
        ),
        (
            'return np.where(mask, dout / dropout_param["p"], 0.0)',
            'return np.where(mask, dout / (1 - dropout_param["p"]), 0.0)',
        ),
    ]:
        assert old in source, old
        source = source.replace(old, new)
    return source


ECE_TWO_LAYER_NET = [  # cs231n's layout and L2 term -> ECE C147 HW3's: W1 (H, D), W2 (C, H), 0.5 * reg
    ("cs231n assignment 1's TwoLayerNet", "ECE C147 HW3's nndl/neural_net.py"),
    (
        "std * np.random.randn(input_size, hidden_size)",
        "std * np.random.randn(hidden_size, input_size)",
    ),
    (
        "std * np.random.randn(hidden_size, output_size)",
        "std * np.random.randn(output_size, hidden_size)",
    ),
    ('pre = np.dot(X, p["W1"]) + p["b1"]', 'pre = np.dot(X, p["W1"].T) + p["b1"]'),
    ('scores = np.dot(hidden, p["W2"]) + p["b2"]', 'scores = np.dot(hidden, p["W2"].T) + p["b2"]'),
    ("loss = data_loss + reg *", "loss = data_loss + 0.5 * reg *"),
    (
        'grads["W2"] += np.outer(hidden[i], dscores[i])',
        'grads["W2"] += np.outer(dscores[i], hidden[i])',
    ),
    ('dhidden = dscores.dot(p["W2"].T) * (pre > 0)', 'dhidden = dscores.dot(p["W2"]) * (pre > 0)'),
    (
        'grads["W1"] = X.T.dot(dhidden) + 2 * reg * p["W1"]',
        'grads["W1"] = dhidden.T.dot(X) + reg * p["W1"]',
    ),
    ('grads["W2"] += 2 * reg * p["W2"]', 'grads["W2"] += reg * p["W2"]'),
]


def ece_submission(into: Path) -> Path:
    """The ECE fixture (nndl/optim.py written for the course) with the independently written cs231n layers and
    TwoLayerNet turned into ECE's conventions."""
    shutil.copytree(SUBMISSIONS / "ece_other", into)
    (into / "nndl" / "layers.py").write_text(drop_convention_layers())
    source = (
        SUBMISSIONS / "other_formulas" / "cs231n" / "classifiers" / "neural_net.py"
    ).read_text()
    for old, new in ECE_TWO_LAYER_NET:
        assert old in source, old
        source = source.replace(old, new)
    (into / "nndl" / "neural_net.py").write_text(source)
    return into


def test_ece_code_in_the_drop_convention_passes(tmp_path):
    ece_submission(tmp_path / "ece")
    report = check_submission(tmp_path / "ece", limits=FAST)
    assert report["course"] == "ece" and report["convention"] == {"dropout_p": "drop"}
    assert report["score"] == report["max_score"] == 18, {
        k: v["hint"] for k, v in report["functions"].items() if v["status"] != "passed"
    }


@pytest.mark.slow
def test_cs231n_2017_code_is_detected_and_judged_in_its_conventions(tmp_path):
    """cs231n 2017: FullyConnectedNet(dropout=p drop probability, use_batchnorm=...), no layer norm; the layout is
    cs231n's, the course is told by fc_net.py's use_batchnorm."""
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    (package / "layers.py").write_text(drop_convention_layers())
    net = package / "classifiers" / "fc_net.py"
    source = net.read_text()
    for old, new in [
        (
            "        dropout_keep_ratio=1,\n        normalization=None,\n",
            "        dropout=0,\n        use_batchnorm=False,\n",
        ),
        (
            "        self.normalization = normalization\n",
            "        self.normalization = normalization = 'batchnorm' if use_batchnorm else None\n",
        ),
        ("self.use_dropout = dropout_keep_ratio != 1", "self.use_dropout = dropout > 0"),
        ('{"mode": "train", "p": dropout_keep_ratio}', '{"mode": "train", "p": dropout}'),
    ]:
        assert old in source, old
        source = source.replace(old, new)
    net.write_text(source)
    report = check_submission(tmp_path, limits=FAST)
    assert report["course"] == "cs231n_2017" and report["convention"] == {"dropout_p": "drop"}
    assert "layernorm_forward" not in report["functions"]
    failing = {k: v["checks"] for k, v in report["functions"].items() if v["status"] != "passed"}
    assert not failing and report["max_score"] == 19


@pytest.mark.slow
def test_a_cache_kept_in_a_global_passes_alone_and_fails_the_chain(tmp_path):
    """ReLU's mask in a module global: forward then backward of one layer is right, but in a network the second
    ReLU's forward overwrites the first's mask (what the affine - batch norm - ReLU chain, twice, is for)."""
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    source = (package / "layers.py").read_text()
    old = "def relu_forward(x):\n    return np.where(x > 0, x, 0.0), x\n\n\ndef relu_backward(dout, cache):\n    return np.where(cache > 0, dout, 0.0)\n"
    assert old in source
    new = (
        "_mask = None\n\n\ndef relu_forward(x):\n    global _mask\n    _mask = x > 0\n"
        "    return x * _mask, None\n\n\ndef relu_backward(dout, cache):\n    return dout * _mask\n"
    )
    (package / "layers.py").write_text(source.replace(old, new))
    report = check_submission(
        tmp_path,
        "cs231n",
        limits=FAST,
        functions=["relu_forward", "relu_backward", "affine_batchnorm_relu_chain"],
    )["functions"]
    assert report["relu_forward"]["status"] == report["relu_backward"]["status"] == "passed"
    chain = report["affine_batchnorm_relu_chain"]
    assert chain["status"] in ("failed", "error"), chain
    assert chain["checks"][0]["status"] == "failed"


def test_the_command_knows_every_course():
    from fcnet.cli_tools import GRADER_COURSES

    assert GRADER_COURSES == tuple(COURSES)


@pytest.mark.slow
def test_correct_code_written_differently_passes():
    report = check_submission(SUBMISSIONS / "other_formulas", "cs231n", limits=FAST)
    failing = {k: v["checks"] for k, v in report["functions"].items() if v["status"] != "passed"}
    assert not failing
    assert report["convention"] == {"dropout_p": "keep"}


@pytest.mark.slow
def test_a_students_mistake_gets_the_catalogues_hint_through_the_sandbox(tmp_path):
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    source = (package / "layers.py").read_text()
    source = source.replace(
        'db = np.einsum("nm->m", dout)', 'db = np.einsum("nm->m", dout) / len(dout)'
    )
    (package / "layers.py").write_text(source)
    report = check_submission(
        tmp_path, "cs231n", limits=FAST, functions=["affine_backward", "affine_forward"]
    )
    verdict = report["functions"]["affine_backward"]
    assert verdict["status"] == "failed" and verdict["hint"].startswith(
        "db averaged instead of summed"
    )
    assert any(
        "db is 1/N times the right answer (N = 4)" in c["message"] for c in verdict["checks"]
    )
    assert report["functions"]["affine_forward"]["status"] == "passed"


@pytest.mark.slow
def test_templates_are_missing_and_a_missing_file_is_missing(tmp_path):
    package = tmp_path / "cs231n"
    package.mkdir()
    (package / "layers.py").write_text(
        "def relu_forward(x):\n    out = None\n    pass\n    return out, x\n\n"
        "def relu_backward(dout, cache):\n    raise NotImplementedError\n"
    )
    report = check_submission(
        tmp_path,
        "cs231n",
        limits=FAST,
        functions=["relu_forward", "relu_backward", "affine_forward", "adam"],
    )
    statuses = {k: v["status"] for k, v in report["functions"].items()}
    assert statuses == {
        "relu_forward": "missing",
        "relu_backward": "missing",
        "affine_forward": "missing",
        "adam": "missing",
    }
    assert (
        "cs231n/optim.py is not in the submission"
        in report["functions"]["adam"]["checks"][0]["message"]
    )


@pytest.mark.slow
def test_an_import_error_fails_that_files_functions_with_the_error(tmp_path):
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    (package / "layers.py").write_text(
        (package / "layers.py").read_text() + "\nundefined_name + 1\n"
    )
    report = check_submission(tmp_path, "cs231n", limits=FAST, functions=["relu_forward", "adam"])
    relu = report["functions"]["relu_forward"]
    assert (
        relu["status"] == "error"
        and "NameError: name 'undefined_name' is not defined" in relu["hint"]
    )
    assert report["functions"]["adam"]["status"] == "passed"  # optim.py imports fine


@pytest.mark.slow
def test_hostile_code_fails_alone_and_cannot_forge_or_escape(tmp_path):
    hostile = tmp_path / "hostile"
    shutil.copytree(SUBMISSIONS / "hostile", hostile)
    before = sorted(p.name for p in (hostile / "cs231n").iterdir())
    report = check_submission(
        hostile,
        "cs231n",
        limits=FAST,
        functions=[
            "affine_forward",
            "affine_backward",
            "relu_forward",
            "svm_loss",
            "softmax_loss",
            "dropout_forward",
        ],
    )
    verdicts = {k: v["status"] for k, v in report["functions"].items()}
    read_only = isolation() == "read-only filesystem"
    # where the machine cannot make the file systems read-only, the write outside succeeds and the function
    # merely returns a wrong answer
    assert verdicts == {
        "affine_forward": "passed",
        "affine_backward": "error",
        "relu_forward": "error",
        "svm_loss": "error",
        "softmax_loss": "error" if read_only else "failed",
        "dropout_forward": "passed",
    }
    if not read_only:
        Path("/fcnet-hostile-was-here").unlink(missing_ok=True)
    hints = {k: v["hint"] for k, v in report["functions"].items()}
    assert (
        "cut short or written twice" in hints["affine_backward"]
    )  # the forged frames are refused
    assert "CPU time" in hints["relu_forward"] or "timed out" in hints["relu_forward"]
    assert "MemoryError" in hints["svm_loss"]
    assert report["score"] == 2  # the fake {"score": 16} printed on stdout changed nothing
    assert (
        sorted(p.name for p in (hostile / "cs231n").iterdir()) == before
    )  # it deleted only its own copy
    if read_only:
        assert "Read-only file system" in hints["softmax_loss"]
        assert not Path("/fcnet-hostile-was-here").exists()


@pytest.mark.slow
def test_os_exit_fails_alone(tmp_path):
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    (package / "optim.py").write_text(
        (package / "optim.py")
        .read_text()
        .replace(
            "def rmsprop(w, dw, config=None):\n",
            "def rmsprop(w, dw, config=None):\n    import os\n    os._exit(0)\n",
        )
    )
    report = check_submission(tmp_path, "cs231n", limits=FAST, functions=["rmsprop", "adam"])
    assert report["functions"]["rmsprop"]["status"] == "error"
    assert (
        "exited" in report["functions"]["rmsprop"]["hint"]
        or "without results" in report["functions"]["rmsprop"]["hint"]
    )
    assert report["functions"]["adam"]["status"] == "passed"


@pytest.mark.slow
@pytest.mark.skipif(
    isolation() != "read-only filesystem", reason="needs root and unshare (the Gradescope case)"
)
def test_the_references_are_hidden_from_the_submission(tmp_path):
    package = tmp_path / "cs231n"
    package.mkdir()
    (package / "layers.py").write_text("from fcnet.courses.cs231n.layers import *\n")
    report = check_submission(tmp_path, "cs231n", limits=FAST, functions=["affine_forward"])
    verdict = report["functions"]["affine_forward"]
    assert verdict["status"] == "error" and "No module named 'fcnet." in verdict["hint"]
    assert report["flagged"] == ["fcnet"]


@pytest.mark.slow
def test_the_dropout_convention_comes_from_the_students_docstring(tmp_path):
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    (package / "layers.py").write_text(drop_convention_layers())
    report = check_submission(tmp_path, "cs231n", limits=FAST, functions=["dropout_forward"])
    assert report["convention"] == {"dropout_p": "drop"}
    assert report["functions"]["dropout_forward"]["status"] == "passed"


def run_check(*args):
    return subprocess.run(
        [sys.executable, "-m", "fcnet", "check", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )


@pytest.mark.slow
def test_fcnet_check_prints_the_table_and_exits_0_only_when_all_pass(tmp_path):
    done = run_check(SUBMISSIONS / "other_formulas")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cs231n: 21 of 21 functions pass")
    package = tmp_path / "cs231n"
    shutil.copytree(SUBMISSIONS / "other_formulas" / "cs231n", package)
    (package / "optim.py").write_text(
        (package / "optim.py")
        .read_text()
        .replace('(np.sqrt(cache) + config["epsilon"])', '(cache + config["epsilon"])')
    )
    done = run_check(tmp_path / "cs231n" / "optim.py", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= {"course", "functions", "score", "max_score"}
    assert report["functions"]["rmsprop"]["status"] == "failed"
    assert report["functions"]["rmsprop"]["hint"].startswith("no square root of the cache")
    for verdict in report["functions"].values():
        assert verdict["status"] in ("passed", "failed", "missing", "error")
        assert all(set(c) == {"name", "status", "message"} for c in verdict["checks"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["nowhere"], "nowhere: no such file or folder"),
        ([".", "--course", "cs999"], "--course must be one of"),
        (
            [".", "--function", "conv_forward", "--course", "cs231n"],
            "unknown function(s) ['conv_forward']",
        ),
    ],
)
def test_fcnet_check_refuses_bad_arguments_in_one_line(tmp_path, args, message):
    done = subprocess.run(
        [sys.executable, "-m", "fcnet", "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, (
        done.stderr
    )
