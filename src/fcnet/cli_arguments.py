"""The ``fcnet`` command's argument types (each with its bounds, so a bad value is refused by name before anything
runs) and the option groups several commands share (network, data, training, study). The bounds and choices come
from the modules that enforce or register them."""

from __future__ import annotations

import argparse
import json

import numpy as np

from fcnet.solver_options import EARLY_STOPPING_METRICS
from fcnet.data import DATASETS
from fcnet.layer_utils import NORMALIZATIONS
from fcnet.models import ACTIVATIONS
from fcnet.optim import UPDATE_RULES
from fcnet.schedules import SCHEDULES
from fcnet.runs import MAX_HIDDEN_UNITS, MAX_SEED
from fcnet.study_engine import HEARTBEAT_SECONDS
from fcnet.study_storage import MAX_HEARTBEAT


def number(kind, minimum=None, exclusive=False, maximum=None, max_exclusive=False):
    """An argparse type: a number of `kind` (int or float) in the given range, else a one-line error."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'an integer' if kind is int else 'a number'}, got {text!r}"
            ) from None
        too_low = minimum is not None and (value <= minimum if exclusive else value < minimum)
        too_high = maximum is not None and (value >= maximum if max_exclusive else value > maximum)
        if not np.isfinite(value) or too_low or too_high:
            spec = "d" if kind is int else "g"
            low = "" if minimum is None else f"{'>' if exclusive else '>='} {minimum:{spec}}"
            high = "" if maximum is None else f"{'<' if max_exclusive else '<='} {maximum:{spec}}"
            bounds = (
                [low] if too_low and kind is int else [low, high]
            )  # an integer: the bound it broke
            what = "an integer" if kind is int else "a finite number"
            raise argparse.ArgumentTypeError(
                f"expected {what} {' and '.join(filter(None, bounds))}, got {text}"
            )
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


MAX_SAMPLES = (
    100_000  # gradcheck's random batch; the other bounds are declared where they are enforced
)


POSITIVE_INT, SEED = number(int, 1), number(int, 0, maximum=MAX_SEED)


HIDDEN_SIZE = number(int, 1, maximum=MAX_HIDDEN_UNITS)


POSITIVE, NON_NEGATIVE = number(float, 0, exclusive=True), number(float, 0)


PROBABILITY = number(float, 0, maximum=1, max_exclusive=True)


def json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(
            f"expected a JSON object such as '{{\"step_size\": 5}}', got {text!r} ({exc.msg})"
        ) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"expected a JSON object such as '{{\"step_size\": 5}}', got {text!r}"
        )
    return value


def rule_learning_rate(text: str) -> tuple[str, float]:
    from fcnet.optim import ALIASES, UPDATE_RULES

    rule, sep, lr = text.partition("=")
    rule = ALIASES.get(rule, rule)
    if not sep or rule not in UPDATE_RULES:
        raise argparse.ArgumentTypeError(
            f"expected RULE=LR with RULE one of {sorted(UPDATE_RULES)}, got {text!r}"
        )
    return rule, POSITIVE(lr)


def hidden(value: str) -> list[int]:
    try:
        dims = [int(v) for v in value.split(",") if v]
    except ValueError:
        dims = []
    if not dims or min(dims) < 1 or max(dims) > MAX_HIDDEN_UNITS:
        raise argparse.ArgumentTypeError(
            f"hidden sizes must be integers from 1 to {MAX_HIDDEN_UNITS:,} separated "
            f"by commas, got {value!r}"
        )
    return dims


def weight_scale(value: str):
    if value in ("he", "xavier"):
        return value
    try:
        return POSITIVE(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"weight scale must be a number > 0, 'he' or 'xavier', got {value!r}"
        ) from None


def add_network_options(p: argparse.ArgumentParser, dtype: bool = True) -> None:
    g = p.add_argument_group("network")
    g.add_argument(
        "--hidden",
        type=HIDDEN_SIZE,
        nargs="*",
        metavar="H",
        help="hidden layer sizes (default: 100)",
    )
    g.add_argument("--activation", choices=list(ACTIVATIONS))
    g.add_argument("--alpha", type=NON_NEGATIVE, help="leaky ReLU slope (default 0.01)")
    g.add_argument("--normalization", choices=["none", *NORMALIZATIONS])
    g.add_argument("--dropout", type=PROBABILITY, help="probability of dropping a hidden unit")
    g.add_argument("--reg", type=NON_NEGATIVE, help="L2 strength")
    g.add_argument(
        "--weight-scale",
        type=weight_scale,
        help="initial weight std, or 'he' / 'xavier' (default he)",
    )
    if dtype:
        g.add_argument("--dtype", choices=["float32", "float64"])
    g.add_argument("--seed", type=SEED, help="seed of weights, batches and dropout (default 0)")


def add_data_options(
    p: argparse.ArgumentParser,
    default_dataset: str | None = None,
    limit_help: str = "use a stratified subset of this many training samples",
) -> None:
    g = p.add_argument_group("data")
    g.add_argument(
        "--dataset",
        choices=list(DATASETS),
        default=default_dataset,
        help="default: digits (bundled with scikit-learn)",
    )
    g.add_argument(
        "--data-dir",
        help="directory holding the dataset files (default: the data home or a download)",
    )
    g.add_argument("--limit", type=POSITIVE_INT, help=limit_help)


def add_training_options(
    p: argparse.ArgumentParser,
    learning_rate: bool = True,
    optimizer: bool = True,
    lr_help: str = "learning rate (default 1e-3)",
) -> None:
    g = p.add_argument_group("training")
    if optimizer:
        g.add_argument(
            "--optimizer", choices=list(UPDATE_RULES), help="update rule (default adam)"
        )
    if learning_rate:
        g.add_argument("--lr", type=NON_NEGATIVE, help=lr_help)
    for name in ("momentum", "beta1", "beta2", "decay-rate"):
        g.add_argument(
            f"--{name}", type=PROBABILITY, help=f"update rule's {name.replace('-', '_')}"
        )
    g.add_argument("--epsilon", type=POSITIVE, help="update rule's epsilon")
    g.add_argument("--weight-decay", type=NON_NEGATIVE, help="decoupled weight decay")
    g.add_argument(
        "--lr-decay",
        type=number(float, 0, exclusive=True, maximum=1),
        help="multiply the learning rate by this after each epoch",
    )
    g.add_argument("--schedule", choices=list(SCHEDULES), help="learning-rate schedule")
    g.add_argument(
        "--schedule-options",
        type=json_object,
        metavar="JSON",
        help='options of the schedule, e.g. \'{"step_size": 5, "gamma": 0.5}\'',
    )
    g.add_argument("--epochs", type=POSITIVE_INT, help="number of epochs (default 30)")
    g.add_argument("--batch-size", type=POSITIVE_INT, help="samples per update (default 64)")
    g.add_argument(
        "--early-stopping",
        type=POSITIVE_INT,
        metavar="PATIENCE",
        help="stop after PATIENCE epochs without improvement of validation accuracy",
    )
    g.add_argument(
        "--early-stopping-metric",
        choices=list(EARLY_STOPPING_METRICS),
        help="what early stopping and the best state watch (default val_acc)",
    )
    g.add_argument(
        "--min-delta",
        type=NON_NEGATIVE,
        help="smallest change that counts as an improvement (default 0)",
    )
    g.add_argument(
        "--divergence-factor",
        type=number(float, 1, exclusive=True),
        help="stop when a minibatch loss exceeds this many times its start (default 100)",
    )
    g.add_argument(
        "--restore-best",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="end with the best state by validation (default) or, with --no-restore-best, the last one",
    )
    g.add_argument(
        "--num-train-samples",
        type=POSITIVE_INT,
        help="training samples scored at each check (default 1000)",
    )
    g.add_argument(
        "--num-val-samples", type=POSITIVE_INT, help="validation samples scored (default: all)"
    )
    g.add_argument(
        "--sample-with-replacement",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw minibatches with replacement, as cs231n's Solver does (default: epochs of "
        "permutations)",
    )
    g.add_argument(
        "--diagnostics",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="measure activations, gradients and update ratios 20 times an epoch and report findings "
        "(default on; --no-diagnostics saves about 1%% of the time)",
    )


def add_study_options(p, required: bool) -> None:
    g = p.add_argument_group("shared study (Optuna storage)")
    g.add_argument(
        "--storage",
        required=required,
        metavar="URL",
        help="an Optuna RDB storage, e.g. postgresql://user:password@host/db (default: a journal file in "
        "--out, for this machine only)",
    )
    g.add_argument(
        "--study", required=required, metavar="NAME", help="the study's name in --storage"
    )
    g.add_argument(
        "--heartbeat",
        type=number(int, 1, maximum=MAX_HEARTBEAT),
        default=HEARTBEAT_SECONDS,
        metavar="SECONDS",
        help=f"worker heartbeat; a trial silent for 3 heartbeats is run again (default "
        f"{HEARTBEAT_SECONDS})",
    )
