"""The ``fcnet`` command: its parser (each command's options, help and examples) and main(); the argument types
and shared option groups are in fcnet.cli_arguments, the command bodies in fcnet.commands and
fcnet.search_commands, the work in fcnet.runs, fcnet.experiments and fcnet.search."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys


from fcnet.commands import (
    CliError,
    cmd_compare,
    cmd_evaluate,
    cmd_gradcheck,
    cmd_info,
    cmd_predict,
    cmd_train,
)
from fcnet.cli_help import EXAMPLES
from fcnet.cli_tools import add_tool_commands
from fcnet.cli_arguments import (
    MAX_SAMPLES,
    NON_NEGATIVE,
    POSITIVE,
    POSITIVE_INT,
    PROBABILITY,
    SEED,
    add_data_options,
    add_network_options,
    add_study_options,
    add_training_options,
    hidden,
    number,
    rule_learning_rate,
    weight_scale,
)
from fcnet.layer_utils import NORMALIZATIONS
from fcnet.optim import UPDATE_RULES
from fcnet.search_commands import cmd_search, cmd_search_worker

from fcnet.study_engine import MAX_TRIALS, PRUNERS


THREADED_COMMANDS = (
    "train",
    "evaluate",
    "predict",
    "compare-optimizers",
)  # a search runs each trial on 1 thread


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block
        raise CliError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fcnet",
        description="Build, train and inspect fully-connected networks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  fcnet train\n  fcnet evaluate runs/<run>\n  fcnet search --trials 20 --jobs 2"
        "\nRun 'fcnet COMMAND --help' for each command's options.",
    )
    from fcnet import __version__

    parser.add_argument("--version", action="version", version=f"fcnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name, help_text, func):
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        if name in THREADED_COMMANDS:
            p.add_argument(
                "--threads",
                type=POSITIVE_INT,
                default=1,
                help="BLAS threads for the matrix products (default 1: on a shared machine more threads "
                "can be many times slower; see README)",
            )
        return p

    p = command("train", "train a network and write a run directory", cmd_train)
    add_data_options(p)
    add_network_options(p)
    add_training_options(p)
    p.add_argument("--config", help="JSON file of options (command-line options override it)")
    p.add_argument(
        "--out", help="run directory (default runs/train-<time>); it must not exist yet"
    )
    p.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the run in DIR from its newest good checkpoint, with its "
        "config.json (after kill, Ctrl-C or a full disk); --epochs may extend it",
    )
    p.add_argument(
        "--force", action="store_true", help="replace the run in an existing --out directory"
    )
    p.add_argument(
        "--keep-checkpoints",
        type=POSITIVE_INT,
        default=2,
        metavar="K",
        help="keep the last K epoch checkpoints and the best epoch's (default 2)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = command(
        "evaluate", "accuracy, per-class accuracy and confusion matrix of a model", cmd_evaluate
    )
    p.add_argument("model", help="a run directory or a model file")
    add_data_options(p, limit_help="evaluate only the first N samples of the split")
    p.add_argument(
        "--split",
        choices=["train", "val", "test"],
        default="test",
        help="default test: data the model was not trained on; 'train' is the run's own training set",
    )
    p.add_argument(
        "--out", help="directory for the confusion matrix PNG (default: beside the model)"
    )
    p.add_argument(
        "--download",
        action="store_true",
        help="download the dataset if it is not on this machine (never done unless asked)",
    )

    p = command("predict", "labels and probabilities for .npy arrays or images", cmd_predict)
    p.add_argument("model", help="a run directory or a model file")
    p.add_argument(
        "inputs", nargs="+", help=".npy files ((N, ...) or one sample) or PNG/JPEG images"
    )
    p.add_argument(
        "--top", type=POSITIVE_INT, default=3, help="how many classes to show (default 3)"
    )
    p.add_argument(
        "--resize", action="store_true", help="scale images of another size to the model's input"
    )

    add_tool_commands(command)

    p = command(
        "info",
        "architecture, parameters per layer, dtype and training summary of a model",
        cmd_info,
    )
    p.add_argument("model", help="a run directory or a model file")

    p = command(
        "compare-optimizers",
        "train one network with each update rule and plot the histories",
        cmd_compare,
    )
    add_data_options(p)
    add_network_options(p)
    add_training_options(
        p,
        optimizer=False,
        lr_help="one learning rate for every rule (default: the MNIST MLP homework's rates)",
    )
    p.add_argument(
        "--rules",
        nargs="+",
        default=[
            "sgd",
            "sgd_momentum",
            "nesterov_momentum",
            "adagrad",
            "rmsprop",
            "adam",
            "adabelief",
        ],
        choices=list(UPDATE_RULES),
    )
    p.add_argument(
        "--lrs",
        nargs="+",
        type=rule_learning_rate,
        metavar="RULE=LR",
        help="a learning rate per rule, over --lr and the MNIST MLP homework's rates",
    )
    p.add_argument("--config", help="JSON file of options")
    p.add_argument("--out", help="output directory (default runs/compare-<time>)")

    p = command(
        "search", "grid or random hyperparameter search, in parallel, resumable", cmd_search
    )
    add_data_options(p)
    add_training_options(p, learning_rate=False)
    g = p.add_argument_group("search space")
    g.add_argument(
        "--mode",
        choices=["random", "grid", "tpe"],
        default="random",
        help="random: seeded draws; grid: every combination; tpe: Optuna's TPE sampler proposes each "
        "trial from the results so far (not independent of the number of workers)",
    )
    g.add_argument(
        "--trials",
        type=number(int, 1, maximum=MAX_TRIALS),
        default=10,
        help="random search: number of trials (default 10)",
    )
    g.add_argument(
        "--lr",
        dest="lr_space",
        type=NON_NEGATIVE,
        nargs="+",
        help="random: LOW HIGH (log-uniform, LOW > 0); grid: the values",
    )
    g.add_argument(
        "--reg",
        dest="reg_range",
        type=NON_NEGATIVE,
        nargs="+",
        help="random: LOW HIGH (log-uniform, LOW > 0); grid: the values (0 allowed)",
    )
    g.add_argument(
        "--hidden",
        dest="hidden_choices",
        type=hidden,
        action="append",
        help="a choice of hidden sizes, comma-separated (repeat the option for more)",
    )
    g.add_argument("--weight-scale", dest="weight_scales", type=weight_scale, nargs="+")
    g.add_argument("--dropout", dest="dropouts", type=PROBABILITY, nargs="+")
    g.add_argument(
        "--normalization", dest="normalizations", nargs="+", choices=["none", *NORMALIZATIONS]
    )
    p.add_argument(
        "--jobs", type=POSITIVE_INT, default=1, help="trials in parallel processes (default 1)"
    )
    p.add_argument(
        "--search-seed", type=SEED, default=0, help="seed of the trial draws (default 0)"
    )
    p.add_argument(
        "--show", type=POSITIVE_INT, default=10, help="rows of the ranked table (default 10)"
    )
    p.add_argument("--config", help="JSON file of base options")
    p.add_argument(
        "--out", help="output directory (default runs/search-<time>); an existing one is resumed"
    )
    add_study_options(p, required=False)
    p.add_argument(
        "--pruner",
        choices=list(PRUNERS),
        default="none",
        help="stop unpromising trials after an epoch (default none: every trial runs in full)",
    )

    p = command(
        "search-worker",
        "run the trials of a shared search study until none is left",
        cmd_search_worker,
    )
    add_study_options(p, required=True)
    p.add_argument(
        "--out", help="where this worker keeps its trained models (default runs/worker-<time>)"
    )

    p = command(
        "gradcheck",
        "numerical gradient check of a configured network (always in float64)",
        cmd_gradcheck,
    )
    add_network_options(p, dtype=False)
    p.add_argument(
        "--samples",
        type=number(int, 1, maximum=MAX_SAMPLES),
        default=4,
        help="samples in the random batch (default 4; batch norm needs 2 or more)",
    )
    p.add_argument(
        "--tolerance",
        type=POSITIVE,
        default=1e-7,
        help="largest acceptable relative error (default 1e-7)",
    )
    p.add_argument("--config", help="JSON file of options")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        from threadpoolctl import threadpool_limits

        with (
            threadpool_limits(args.threads)
            if getattr(args, "threads", None)
            else contextlib.nullcontext()
        ):
            args.func(args)
        return 0
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fcnet ... | head`: the reader has gone; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, TypeError, FileNotFoundError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except MemoryError as exc:
        print(
            f"error: not enough memory: {exc or 'an array was too large'}; use smaller sizes (--hidden, "
            "--batch-size, --samples, --limit) or a smaller file",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
