"""The ``fcnet`` command's tools beside training: check and grade course code, export a model, and look inside a
run (diagnose, lr-find, report). Their bodies are in fcnet.grader_commands, fcnet.commands and
fcnet.inside_commands."""

from __future__ import annotations

import argparse

from fcnet.cli_arguments import POSITIVE, POSITIVE_INT, number
from fcnet.commands import cmd_export
from fcnet.export.files import FORMATS as EXPORT_FORMATS
from fcnet.grader_commands import cmd_check, cmd_grade
from fcnet.inside_commands import cmd_diagnose, cmd_lr_find, cmd_report

# fcnet.grader.COURSES, named here so that --help does not import the grader (a test keeps them equal)
GRADER_COURSES = ("cs231n", "cs231n_2017", "dasecv", "ece", "dlfs", "mnist_mlp")


def add_tool_commands(command) -> None:
    """Declare the tools' commands with `command(name, help, func)`, fcnet.cli's factory of subparsers."""
    p = command(
        "check", "check your course files against fcnet's references, with hints", cmd_check
    )
    p.add_argument(
        "path",
        help="the folder that holds the course's package (cs231n/, ...), one of its files, or a "
        "notebook (.ipynb, or exported to .py)",
    )
    p.add_argument(
        "--course",
        help=f"the course (default: found from the layout): {', '.join(GRADER_COURSES)}",
    )
    p.add_argument(
        "--function", action="append", help="check only this function (repeat for more)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    p.add_argument("--verbose", action="store_true", help="every check, passed or not")
    p.add_argument(
        "--jobs", type=POSITIVE_INT, default=2, help="functions checked at once (default 2)"
    )

    p = command(
        "grade", "grade many submissions with a rubric; Gradescope's results.json", cmd_grade
    )
    p.add_argument(
        "submissions",
        nargs="*",
        help="folders, .zip, .py files or notebooks (or: make-autograder)",
    )
    p.add_argument("--course", required=True, help=f"the course: {', '.join(GRADER_COURSES)}")
    p.add_argument("--rubric", help="a rubric TOML (default: the course's; see --print-rubric)")
    p.add_argument("--print-rubric", action="store_true", help="print the rubric as TOML and stop")
    p.add_argument(
        "--out", help="folder for gradebook.csv and the JSON (make-autograder: the .zip)"
    )
    p.add_argument(
        "--jobs", type=POSITIVE_INT, default=2, help="functions checked at once (default 2)"
    )
    p.add_argument(
        "--gradescope", action="store_true", help="grade GRADESCOPE_ROOT/submission into results/"
    )
    p.add_argument("--gradescope-root", default="/autograder", help=argparse.SUPPRESS)

    p = command("export", "write a model as ONNX, a PyTorch program or safetensors", cmd_export)
    p.add_argument("model", help="a run directory or a model file (an FCNetClassifier too)")
    p.add_argument(
        "--format",
        choices=list(EXPORT_FORMATS),
        default="onnx",
        help="onnx (.onnx: onnxruntime, the browser), torch (.pt2: torch.export.load(path).module()), "
        "safetensors (.safetensors: weights with PyTorch's key names)",
    )
    p.add_argument("--out", required=True, help="the file to write, ending in the format's suffix")
    p.add_argument(
        "--opset", type=number(int, 17, maximum=23), default=17, help="ONNX opset (default 17)"
    )
    p.add_argument(
        "--logits", action="store_true", help="ONNX: output logits instead of probabilities"
    )

    p = command("diagnose", "what a run's history says about why it learns or not", cmd_diagnose)
    p.add_argument("run_dir", help="a run directory of fcnet train")
    p.add_argument("--json", action="store_true", help="the findings as a JSON list")

    p = command(
        "lr-find", "Smith's learning-rate range test: a plot and a suggested rate", cmd_lr_find
    )
    from fcnet.cli_arguments import add_data_options, add_network_options, add_training_options

    add_data_options(p)
    add_network_options(p)
    add_training_options(p, learning_rate=False)
    p.add_argument("--config", help="JSON file of options")
    p.add_argument(
        "--iterations",
        type=number(int, 10, maximum=10_000),
        default=100,
        help="iterations of the test (default 100)",
    )
    p.add_argument(
        "--start-lr", type=POSITIVE, default=1e-7, help="first learning rate (default 1e-7)"
    )
    p.add_argument("--end-lr", type=POSITIVE, default=10.0, help="last learning rate (default 10)")
    p.add_argument("--out", help="the plot (default lr_find.png)")

    p = command("report", "a self-contained report page (report.html) of a run", cmd_report)
    p.add_argument("run_dir", help="a run directory of fcnet train")
    p.add_argument("--out", help="the page to write (default RUN_DIR/report.html)")
