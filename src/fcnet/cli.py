"""The ``fcnet`` command: argument parsing only; the work is done by fcnet.runs and fcnet.search."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from fcnet.study_engine import HEARTBEAT_SECONDS, PRUNERS

EXAMPLES = {
    "train": """examples:
  fcnet train                                   # digits, a [100] ReLU network, Adam, 30 epochs
  fcnet train --dataset fashion-mnist --hidden 512 256 --normalization batchnorm --dropout 0.2 --epochs 20
  fcnet train --optimizer sgd_momentum --lr 0.01 --momentum 0.9 --schedule cosine --out runs/sgd
  fcnet train --config my_run.json              # the keys of config.json in any run directory""",
    "evaluate": """examples:
  fcnet evaluate runs/train-20261122-101500     # the run's dataset, test split
  fcnet evaluate model.npz --dataset fashion-mnist --split val""",
    "predict": """examples:
  fcnet predict runs/my-run/model.npz samples.npy
  fcnet predict runs/my-run digit.png --top 3""",
    "compare-optimizers": """examples:
  fcnet compare-optimizers                      # the seven rules on digits, at the MNIST MLP homework's learning rates
  fcnet compare-optimizers --dataset fashion-mnist --limit 10000 --epochs 5 --rules sgd adam adabelief""",
    "search": """examples:
  fcnet search --trials 20 --jobs 2             # random search on digits: log-uniform lr and reg
  fcnet search --mode grid --lr 1e-3 3e-3 --reg 0 1e-4 --hidden 100 --hidden 200,100
  fcnet search --out runs/search                # run again to resume an interrupted search
  fcnet search --pruner median --trials 40 --jobs 2
  fcnet search --storage postgresql://fcnet:PASSWORD@db-host/fcnet --study fashion --dataset fashion-mnist \\
               --trials 40 --out runs/fashion   # creates (or joins) the study; workers elsewhere help""",
    "search-worker": """examples:
  fcnet search-worker --storage postgresql://fcnet:PASSWORD@db-host/fcnet --study fashion
  # on every machine that should help; a SLURM array: srun fcnet search-worker --storage ... --study ...""",
    "info": """examples:
  fcnet info runs/my-run                        # architecture, parameters per layer, training summary""",
    "gradcheck": """examples:
  fcnet gradcheck --hidden 20 30 --normalization batchnorm --reg 3.14
  fcnet gradcheck --activation tanh --dropout 0.3""",
}


class CliError(Exception):
    """An error to report in one line."""


def _number(kind, minimum=None, exclusive=False, maximum=None, max_exclusive=False):
    """An argparse type: a number of `kind` (int or float) in the given range, else a one-line error."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, "
                                             f"got {text!r}") from None
        too_low = minimum is not None and (value <= minimum if exclusive else value < minimum)
        too_high = maximum is not None and (value >= maximum if max_exclusive else value > maximum)
        if not np.isfinite(value) or too_low or too_high:
            spec = "d" if kind is int else "g"
            low = "" if minimum is None else f"{'>' if exclusive else '>='} {minimum:{spec}}"
            high = "" if maximum is None else f"{'<' if max_exclusive else '<='} {maximum:{spec}}"
            bounds = [low] if too_low and kind is int else [low, high]  # an integer: the bound it broke
            what = "an integer" if kind is int else "a finite number"
            raise argparse.ArgumentTypeError(f"expected {what} {' and '.join(filter(None, bounds))}, got {text}")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


_POSITIVE_INT, _SEED = _number(int, 1), _number(int, 0, maximum=2 ** 32 - 1)
MAX_HIDDEN_UNITS, MAX_SAMPLES, MAX_TRIALS, MAX_HEARTBEAT = 100_000, 100_000, 100_000, 3600
_HIDDEN_SIZE = _number(int, 1, maximum=MAX_HIDDEN_UNITS)
_POSITIVE, _NON_NEGATIVE = _number(float, 0, exclusive=True), _number(float, 0)
_PROBABILITY = _number(float, 0, maximum=1, max_exclusive=True)


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"expected a JSON object such as '{{\"step_size\": 5}}', got {text!r} "
                                         f"({exc.msg})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object such as '{{\"step_size\": 5}}', got {text!r}")
    return value


def _rule_learning_rate(text: str) -> tuple[str, float]:
    from fcnet.optim import ALIASES, UPDATE_RULES

    rule, sep, lr = text.partition("=")
    rule = ALIASES.get(rule, rule)
    if not sep or rule not in UPDATE_RULES:
        raise argparse.ArgumentTypeError(f"expected RULE=LR with RULE one of {sorted(UPDATE_RULES)}, got {text!r}")
    return rule, _POSITIVE(lr)


def _hidden(value: str) -> list[int]:
    try:
        dims = [int(v) for v in value.split(",") if v]
    except ValueError:
        dims = []
    if not dims or min(dims) < 1 or max(dims) > MAX_HIDDEN_UNITS:
        raise argparse.ArgumentTypeError(f"hidden sizes must be integers from 1 to {MAX_HIDDEN_UNITS:,} separated "
                                         f"by commas, got {value!r}")
    return dims


def _weight_scale(value: str):
    if value in ("he", "xavier"):
        return value
    try:
        return _POSITIVE(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"weight scale must be a number > 0, 'he' or 'xavier', "
                                         f"got {value!r}") from None


def _add_network_options(p: argparse.ArgumentParser, dtype: bool = True) -> None:
    g = p.add_argument_group("network")
    g.add_argument("--hidden", type=_HIDDEN_SIZE, nargs="*", metavar="H", help="hidden layer sizes (default: 100)")
    g.add_argument("--activation", choices=["relu", "leaky_relu", "tanh", "sigmoid"])
    g.add_argument("--alpha", type=_NON_NEGATIVE, help="leaky ReLU slope (default 0.01)")
    g.add_argument("--normalization", choices=["none", "batchnorm", "layernorm"])
    g.add_argument("--dropout", type=_PROBABILITY, help="probability of dropping a hidden unit")
    g.add_argument("--reg", type=_NON_NEGATIVE, help="L2 strength")
    g.add_argument("--weight-scale", type=_weight_scale, help="initial weight std, or 'he' / 'xavier' (default he)")
    if dtype:
        g.add_argument("--dtype", choices=["float32", "float64"])
    g.add_argument("--seed", type=_SEED, help="seed of weights, batches and dropout (default 0)")


def _add_data_options(p: argparse.ArgumentParser, default_dataset: str | None = None,
                      limit_help: str = "use a stratified subset of this many training samples") -> None:
    g = p.add_argument_group("data")
    g.add_argument("--dataset", choices=["digits", "fashion-mnist", "mnist", "cifar10"], default=default_dataset,
                   help="default: digits (bundled with scikit-learn)")
    g.add_argument("--data-dir", help="directory holding the dataset files (default: the data home or a download)")
    g.add_argument("--limit", type=_POSITIVE_INT, help=limit_help)


def _add_training_options(p: argparse.ArgumentParser, learning_rate: bool = True, optimizer: bool = True,
                          lr_help: str = "learning rate (default 1e-3)") -> None:
    g = p.add_argument_group("training")
    if optimizer:
        g.add_argument("--optimizer", choices=["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop",
                                               "adam", "adabelief"], help="update rule (default adam)")
    if learning_rate:
        g.add_argument("--lr", type=_NON_NEGATIVE, help=lr_help)
    for name in ("momentum", "beta1", "beta2", "decay-rate"):
        g.add_argument(f"--{name}", type=_PROBABILITY, help=f"update rule's {name.replace('-', '_')}")
    g.add_argument("--epsilon", type=_POSITIVE, help="update rule's epsilon")
    g.add_argument("--weight-decay", type=_NON_NEGATIVE, help="decoupled weight decay")
    g.add_argument("--lr-decay", type=_number(float, 0, exclusive=True, maximum=1),
                   help="multiply the learning rate by this after each epoch")
    g.add_argument("--schedule", choices=["exponential", "step", "cosine", "plateau"], help="learning-rate schedule")
    g.add_argument("--schedule-options", type=_json_object, metavar="JSON",
                   help='options of the schedule, e.g. \'{"step_size": 5, "gamma": 0.5}\'')
    g.add_argument("--epochs", type=_POSITIVE_INT, help="number of epochs (default 30)")
    g.add_argument("--batch-size", type=_POSITIVE_INT, help="samples per update (default 64)")
    g.add_argument("--early-stopping", type=_POSITIVE_INT, metavar="PATIENCE", help="stop after PATIENCE epochs "
                   "without improvement of validation accuracy")


_OPTION_TO_FIELD = {
    "dataset": "dataset", "data_dir": "data_dir", "limit": "limit", "hidden": "hidden_dims",
    "activation": "activation", "alpha": "alpha", "normalization": "normalization", "dropout": "dropout",
    "reg": "reg", "weight_scale": "weight_scale", "dtype": "dtype", "seed": "seed", "optimizer": "update_rule",
    "lr": "learning_rate", "momentum": "momentum", "beta1": "beta1", "beta2": "beta2", "epsilon": "epsilon",
    "decay_rate": "decay_rate", "weight_decay": "weight_decay", "lr_decay": "lr_decay", "schedule": "lr_schedule",
    "schedule_options": "lr_schedule_options", "epochs": "num_epochs", "batch_size": "batch_size",
    "early_stopping": "early_stopping_patience",
}


def _config(args: argparse.Namespace):
    """A TrainConfig: defaults, then the --config file, then the options given on the command line."""
    from fcnet.runs import TrainConfig, read_json_object

    values = {}
    if getattr(args, "config", None):
        values = read_json_object(Path(args.config), f"--config {args.config}")
        TrainConfig.from_dict(values, source=f"--config {args.config}")  # its own errors name the file
    for option, name in _OPTION_TO_FIELD.items():
        value = getattr(args, option, None)
        if value is not None:
            values[name] = value
    if values.get("normalization") == "none":
        values["normalization"] = None
    return TrainConfig.from_dict(values, source="options")


# ---- commands ---------------------------------------------------------------------------------------------------
def _resume_config(args):
    """The config of the run directory given to --resume; only --epochs (to extend it) may be given with it."""
    from fcnet.runs import TrainConfig, read_json_object

    given = [f"--{option.replace('_', '-')}" for option in [*_OPTION_TO_FIELD, "config", "out", "force"]
             if getattr(args, option, None) not in (None, False) and option != "epochs"]
    if given:
        raise CliError(f"--resume takes its settings from {Path(args.resume) / 'config.json'}; do not give "
                       f"{', '.join(given)} (only --epochs, to extend the run)")
    path = Path(args.resume) / "config.json"
    values = read_json_object(path, f"--resume {path}") if path.is_file() else {}
    if args.epochs is not None:
        values["num_epochs"] = args.epochs
    return TrainConfig.from_dict(values, source=str(path))


def cmd_train(args) -> None:
    from fcnet.runs import train_run

    config = _resume_config(args) if args.resume else _config(args)
    out = Path(args.resume or args.out or f"runs/train-{time.strftime('%Y%m%d-%H%M%S')}")
    print(f"Training {config.hidden_dims} {config.activation} network on {config.dataset} with "
          f"{config.update_rule} (lr {config.learning_rate:g}) for {config.num_epochs} epochs -> {out}")
    try:
        summary = train_run(config, out, verbose=not args.quiet, resume=bool(args.resume), force=args.force,
                            keep_checkpoints=args.keep_checkpoints)  # a RunDirError is a ValueError: one line
    except KeyboardInterrupt:
        resumable = (out / "config.json").is_file() and any(out.glob("checkpoint_*.npz"))
        print("error: interrupted" + (f"; continue with 'fcnet train --resume {out}'" if resumable else ""),
              file=sys.stderr)
        raise SystemExit(130) from None
    if summary["stop_reason"] == "interrupted":
        print(f"Interrupted: the best state so far is in {out / 'model.npz'}; continue with "
              f"'fcnet train --resume {out}'", file=sys.stderr)
        raise SystemExit(130)
    test = "n/a" if summary["test_acc"] is None else f"{summary['test_acc']:.4f}"
    print(f"Final validation accuracy: {summary['val_acc']:.4f}   test accuracy: {test}   "
          f"({summary['epochs']} epochs, {summary['stop_reason']}, {summary['seconds']:.1f} s)")
    print(f"Run directory: {out} (config.json, history.csv, model.npz, loss.png, accuracy.png"
          f"{', weights.png' if (out / 'weights.png').exists() else ''})")


def _load_model(path):
    """(the network, its class labels or None): a saved FCNetClassifier gives its network and its classes_."""
    import fcnet
    from fcnet.runs import resolve_model_path

    try:
        model = fcnet.load(resolve_model_path(path))
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    if hasattr(model, "model_"):  # a fitted fcnet.sklearn.FCNetClassifier
        return model.model_, [str(label) for label in model.classes_]
    return model, None


def _saved_config(model_path) -> dict:
    from fcnet.runs import run_config

    try:
        return run_config(model_path) or {}
    except ValueError as exc:
        raise CliError(str(exc)) from None


def cmd_evaluate(args) -> None:
    from fcnet import plots
    from fcnet.data import load_dataset
    from fcnet.runs import class_names, evaluate, resolve_model_path

    model, labels = _load_model(args.model)
    saved = _saved_config(args.model)
    dataset = args.dataset or saved.get("dataset")
    if dataset is None:
        raise CliError(f"{args.model} is not in a run directory: say which data with --dataset")
    same_data = dataset == saved.get("dataset")
    # the training split is the run's own (its --limit subset), so that "train" means what the model was fit on
    data = load_dataset(dataset, data_dir=args.data_dir or saved.get("data_dir"), seed=saved.get("seed", 0),
                        limit=saved.get("limit") if same_data else None, download=args.download)
    X, y = data[f"X_{args.split}"], data[f"y_{args.split}"]
    if args.limit is not None:
        X, y = X[:args.limit], y[:args.limit]
    names = labels or class_names(dataset, model.num_classes)
    if labels is not None:  # an estimator predicts its own classes_: compare in their order
        y = _label_indices(y, labels, dataset)
    result = evaluate(model, X, y, names)
    title = f"{dataset}, {args.split} split ({result['num_samples']} samples): accuracy {result['accuracy']:.4f}"
    print(title)
    print(result["report"])
    print("confusion matrix (rows: true class, columns: predicted):")
    width = max(5, *(len(n) for n in names))
    for name, row in zip(names, result["confusion_matrix"]):
        print(f"  {name:>{width}} " + " ".join(f"{v:>5d}" for v in row))
    out = Path(args.out) if args.out else resolve_model_path(args.model).parent
    png = out / f"confusion_{args.split}.png"
    plots.plot_confusion_matrix(np.array(result["confusion_matrix"]), names, path=png, title=title)
    print(f"Wrote {png}")


def _label_indices(y: np.ndarray, labels: list[str], dataset: str) -> np.ndarray:
    """The positions in an estimator's classes_ of the labels y (refused when one is not among them)."""
    index = {label: i for i, label in enumerate(labels)}
    unknown = sorted({str(v) for v in np.unique(y)} - set(index))
    if unknown:
        raise CliError(f"{dataset} has labels {unknown[:5]} that the estimator never saw (its classes: "
                       f"{labels[:10]})")
    return np.array([index[str(v)] for v in y], dtype=np.int64)


def cmd_predict(args) -> None:
    from fcnet.runs import class_names, read_inputs

    model, labels = _load_model(args.model)
    names = labels or class_names(_saved_config(args.model).get("dataset"), model.num_classes)
    try:
        X, labels = read_inputs(args.inputs, model.input_dim, resize=args.resize)
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    proba = model.predict_proba(X)
    top = min(args.top, model.num_classes)
    for label, p in zip(labels, proba):
        best = np.argsort(p)[::-1][:top]
        print(f"{label}: {names[best[0]]}  (" + ", ".join(f"{names[k]}: {p[k]:.3f}" for k in best) + ")")


def cmd_info(args) -> None:
    from fcnet.runs import describe_model, resolve_model_path

    model, labels = _load_model(args.model)
    path = resolve_model_path(args.model)
    saved = _saved_config(args.model)
    kind = type(model).__name__ if labels is None else f"FCNetClassifier (classes {labels[:10]}) over a {type(model).__name__}"
    print(f"{path}: {kind}, {model.input_dim} inputs -> {model.hidden_dims} -> "
          f"{model.num_classes} classes, {model.activation}, normalization {model.normalization or 'none'}, "
          f"dropout {model.dropout:g}, {model.loss_name} loss, dtype {model.dtype.name}")
    rows = describe_model(model)
    for name, shape, count in rows:
        print(f"  {name:<10} {shape:>12} {count:>10,d}")
    print(f"  {'total':<10} {'':>12} {sum(count for *_, count in rows):>10,d} parameters")
    summary_file = path.parent / "summary.json"
    if saved and summary_file.is_file():
        try:
            summary = json.loads(summary_file.read_text())
            print(f"trained on {saved.get('dataset')} with {saved.get('update_rule')} (lr {saved.get('learning_rate')})"
                  f" for {summary['epochs']} epochs ({summary['stop_reason']}): best validation accuracy "
                  f"{summary['best_val_acc']:.4f}, test accuracy "
                  f"{'n/a' if summary.get('test_acc') is None else format(summary['test_acc'], '.4f')}")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise CliError(f"{summary_file} is not a readable run summary: {exc}") from None


def cmd_compare(args) -> None:
    from fcnet import plots
    from fcnet.runs import compare_optimizers

    from fcnet.runs import SEED_LEARNING_RATES, check_writable, rule_configs

    config = _config(args)
    lrs = {rule: args.lr if args.lr is not None else SEED_LEARNING_RATES[rule] for rule in args.rules}
    lrs.update(dict(args.lrs or []))
    out = Path(args.out or f"runs/compare-{time.strftime('%Y%m%d-%H%M%S')}")
    rule_configs(config, args.rules, lrs)  # every rule's options, before anything is written or trained
    check_writable(out)

    def report(rule, solver):
        print(f"  {rule:<18} lr {lrs[rule]:<8g} best val {solver.best_val_acc:.4f}  ({solver.seconds:.1f} s, "
              f"{solver.stop_reason})", flush=True)

    print(f"Training one {config.hidden_dims} network per rule on {config.dataset} for {config.num_epochs} epochs")
    solvers = compare_optimizers(config, args.rules, lrs, on_result=report)
    print(f"{'rule':<18} {'lr':>8} {'final loss':>10} {'best val':>9} {'test':>7} {'seconds':>8}")
    for rule, s in solvers.items():
        test = "n/a" if s.test_acc is None else f"{s.test_acc:.4f}"
        print(f"{rule:<18} {s.base_learning_rate:>8g} {np.mean(s.loss_history[-10:]):>10.4f} "
              f"{s.best_val_acc:>9.4f} {test:>7} {s.seconds:>8.1f}")
    out.mkdir(parents=True, exist_ok=True)
    plots.plot_optimizer_comparison(solvers, out / "optimizers.png")
    from fcnet import io

    io.write_text(out / "optimizers.json", json.dumps({r: {"learning_rate": s.base_learning_rate,
                                                            "best_val_acc": s.best_val_acc,
                                                            "test_acc": s.test_acc, **s.history.to_dict(),
                                                            **s.summary()}
                                                        for r, s in solvers.items()}))
    print(f"Wrote {out / 'optimizers.png'} and {out / 'optimizers.json'}")


THREADED_COMMANDS = ("train", "evaluate", "predict", "compare-optimizers")  # a search runs each trial on 1 thread


def _redacted(url: str) -> str:
    """A storage URL without its password, for printing."""
    from fcnet.study_engine import masked_url

    return masked_url(url)


@contextlib.contextmanager
def _database_errors(url: str | None):
    """A database failure during a search (the server stopped, the network went) as one line that says to run
    the same command again once the server is back; the password is never printed."""
    from fcnet import study_engine

    try:
        yield
    except study_engine.database_errors() as exc:
        raise CliError(str(study_engine.storage_error(exc, url or "the local study"))) from None


def report(row: dict) -> None:
    """One line per finished trial of a search."""
    status = {"interrupted": "interrupted, not ranked", "pruned": f"pruned after epoch {row['epochs']}"}.get(
        row["stop_reason"], f"val {float(row['val_acc']):.4f}")
    print(f"  trial {int(row['trial']):>3}: {status}  lr {float(row['learning_rate']):.2e}  "
          f"reg {float(row['reg']):.2e}  hidden {row['hidden_dims']}", flush=True)


def cmd_search_worker(args) -> None:
    from fcnet import study_engine

    out = Path(args.out or f"runs/worker-{time.strftime('%Y%m%d-%H%M%S')}")
    with _database_errors(args.storage):
        study = study_engine.open_study(args.storage, args.study, args.heartbeat)
        configs = study_engine.configs_of(study)
    (out / "trials").mkdir(parents=True, exist_ok=True)
    print(f"worker on study {args.study!r} at {_redacted(args.storage)}: {len(configs)} trials; models -> "
          f"{out / 'trials'}", flush=True)
    try:
        with _database_errors(args.storage):
            study_engine.work(study, configs, out, report)
    except KeyboardInterrupt:
        print("Interrupted: the trial in flight is queued again for another worker", file=sys.stderr)
        raise SystemExit(130)
    print(f"The study has no trial left: {study_engine.describe(study)}")


def cmd_search(args) -> None:
    from fcnet.runs import check_out_dir
    from fcnet.search import run_search

    config = _config(args)
    def range_or_values(given: list[float]) -> tuple | list:  # LOW HIGH of a drawn search; a grid's values
        return tuple(given) if args.mode in ("random", "tpe") and len(given) == 2 else list(given)

    space = {}
    if args.lr_space:
        space["learning_rate"] = range_or_values(args.lr_space)
    if args.reg_range:
        space["reg"] = range_or_values(args.reg_range)
    if args.hidden_choices:
        space["hidden_dims"] = args.hidden_choices
    if args.weight_scales:
        space["weight_scale"] = args.weight_scales
    if args.dropouts:
        space["dropout"] = args.dropouts
    if args.normalizations:
        space["normalization"] = [None if n == "none" else n for n in args.normalizations]
    out = Path(args.out or f"runs/search-{time.strftime('%Y%m%d-%H%M%S')}")
    where = f"study {args.study!r} at {_redacted(args.storage)}, " if args.storage else ""
    print(f"{args.mode} search on {config.dataset}, {where}{args.jobs} local worker(s) -> {out} (run again to resume)")

    check_out_dir(out)
    cores = os.cpu_count() or 1
    if args.jobs > 4 * cores:
        raise CliError(f"--jobs {args.jobs} on a machine with {cores} cores: at most {4 * cores} (each worker "
                       "trains on one core; more only fight for them)")
    if args.jobs > cores:
        print(f"warning: --jobs {args.jobs} is more than this machine's {cores} cores; the workers will share "
              "them and each trial will take longer", file=sys.stderr)

    try:
        with _database_errors(args.storage):
            results = run_search(config, out, space, mode=args.mode, num_trials=args.trials, jobs=args.jobs,
                                 seed=args.search_seed, on_result=report, storage=args.storage,
                                 study_name=args.study, pruner=args.pruner, heartbeat=args.heartbeat)
    except KeyboardInterrupt:
        where = (f"the finished trials are in {out / 'results.csv'}" if (out / "results.csv").is_file()
                 else "no trial had finished")
        print(f"Interrupted: {where}; run the same command again to resume", file=sys.stderr)
        raise SystemExit(130)
    print(f"\n{'rank':>4} {'trial':>5} {'val':>7} {'test':>7} {'lr':>9} {'reg':>9} hidden")
    for rank, r in enumerate(results[: args.show], 1):
        test = f"{float(r['test_acc']):.4f}" if r["test_acc"] not in ("", None) else "n/a"
        print(f"{rank:>4} {int(r['trial']):>5} {float(r['val_acc']):>7.4f} {test:>7} "
              f"{float(r['learning_rate']):>9.2e} {float(r['reg']):>9.2e} {r['hidden_dims']}")
    written = [str(out / name) for name in ("results.csv", "search.png", "best_model.npz") if (out / name).exists()]
    print(f"Wrote {', '.join(written)}")


def _add_study_options(p, required: bool) -> None:
    g = p.add_argument_group("shared study (Optuna storage)")
    g.add_argument("--storage", required=required, metavar="URL",
                   help="an Optuna RDB storage, e.g. postgresql://user:password@host/db (default: a journal file in "
                        "--out, for this machine only)")
    g.add_argument("--study", required=required, metavar="NAME", help="the study's name in --storage")
    g.add_argument("--heartbeat", type=_number(int, 1, maximum=MAX_HEARTBEAT), default=HEARTBEAT_SECONDS, metavar="SECONDS",
                   help=f"worker heartbeat; a trial silent for 3 heartbeats is run again (default "
                        f"{HEARTBEAT_SECONDS})")


def cmd_gradcheck(args) -> None:
    from fcnet.runs import gradient_check

    config = _config(args)
    if config.normalization == "batchnorm" and args.samples < 2:
        raise CliError(f"--samples {args.samples}: batch normalization in training mode needs at least 2 samples; "
                       "give --samples 2 or more")
    errors = gradient_check(config, num_samples=args.samples, seed=config.seed)
    worst = max(errors.values())
    print("relative error per parameter (norm-wise, against the largest gradient's scale):")
    for name, error in errors.items():
        print(f"{name} relative error: {error:.2e}")
    print(f"largest relative error: {worst:.2e} ({'ok' if worst < args.tolerance else 'TOO LARGE'})")
    if worst >= args.tolerance:
        raise SystemExit(1)


# ---- parser -----------------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block
        raise CliError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fcnet", description="Build, train and inspect fully-connected networks.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  fcnet train\n  fcnet evaluate runs/<run>\n  fcnet search --trials 20 --jobs 2"
                            "\nRun 'fcnet COMMAND --help' for each command's options.")
    from fcnet import __version__

    parser.add_argument("--version", action="version", version=f"fcnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name, help_text, func):
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        if name in THREADED_COMMANDS:
            p.add_argument("--threads", type=_POSITIVE_INT, default=1,
                           help="BLAS threads for the matrix products (default 1: on a shared machine more threads "
                                "can be many times slower; see README)")
        return p

    p = command("train", "train a network and write a run directory", cmd_train)
    _add_data_options(p)
    _add_network_options(p)
    _add_training_options(p)
    p.add_argument("--config", help="JSON file of options (command-line options override it)")
    p.add_argument("--out", help="run directory (default runs/train-<time>); it must not exist yet")
    p.add_argument("--resume", metavar="DIR", help="continue the run in DIR from its newest good checkpoint, with its "
                   "config.json (after kill, Ctrl-C or a full disk); --epochs may extend it")
    p.add_argument("--force", action="store_true", help="replace the run in an existing --out directory")
    p.add_argument("--keep-checkpoints", type=_POSITIVE_INT, default=2, metavar="K",
                   help="keep the last K epoch checkpoints and the best epoch's (default 2)")
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = command("evaluate", "accuracy, per-class accuracy and confusion matrix of a model", cmd_evaluate)
    p.add_argument("model", help="a run directory or a model file")
    _add_data_options(p, limit_help="evaluate only the first N samples of the split")
    p.add_argument("--split", choices=["train", "val", "test"], default="test",
                   help="default test: data the model was not trained on; 'train' is the run's own training set")
    p.add_argument("--out", help="directory for the confusion matrix PNG (default: beside the model)")
    p.add_argument("--download", action="store_true",
                   help="download the dataset if it is not on this machine (never done unless asked)")

    p = command("predict", "labels and probabilities for .npy arrays or images", cmd_predict)
    p.add_argument("model", help="a run directory or a model file")
    p.add_argument("inputs", nargs="+", help=".npy files ((N, ...) or one sample) or PNG/JPEG images")
    p.add_argument("--top", type=_POSITIVE_INT, default=3, help="how many classes to show (default 3)")
    p.add_argument("--resize", action="store_true", help="scale images of another size to the model's input")

    p = command("info", "architecture, parameters per layer, dtype and training summary of a model", cmd_info)
    p.add_argument("model", help="a run directory or a model file")

    p = command("compare-optimizers", "train one network with each update rule and plot the histories",
                cmd_compare)
    _add_data_options(p)
    _add_network_options(p)
    _add_training_options(p, optimizer=False, lr_help="one learning rate for every rule (default: the MNIST MLP homework's rates)")
    p.add_argument("--rules", nargs="+", default=["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop",
                                                  "adam", "adabelief"],
                   choices=["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adabelief"])
    p.add_argument("--lrs", nargs="+", type=_rule_learning_rate, metavar="RULE=LR",
                   help="a learning rate per rule, over --lr and the MNIST MLP homework's rates")
    p.add_argument("--config", help="JSON file of options")
    p.add_argument("--out", help="output directory (default runs/compare-<time>)")

    p = command("search", "grid or random hyperparameter search, in parallel, resumable", cmd_search)
    _add_data_options(p)
    _add_training_options(p, learning_rate=False)
    g = p.add_argument_group("search space")
    g.add_argument("--mode", choices=["random", "grid", "tpe"], default="random",
                   help="random: seeded draws; grid: every combination; tpe: Optuna's TPE sampler proposes each "
                        "trial from the results so far (not independent of the number of workers)")
    g.add_argument("--trials", type=_number(int, 1, maximum=MAX_TRIALS), default=10, help="random search: number of trials (default 10)")
    g.add_argument("--lr", dest="lr_space", type=_NON_NEGATIVE, nargs="+",
                   help="random: LOW HIGH (log-uniform, LOW > 0); grid: the values")
    g.add_argument("--reg", dest="reg_range", type=_NON_NEGATIVE, nargs="+",
                   help="random: LOW HIGH (log-uniform, LOW > 0); grid: the values (0 allowed)")
    g.add_argument("--hidden", dest="hidden_choices", type=_hidden, action="append",
                   help="a choice of hidden sizes, comma-separated (repeat the option for more)")
    g.add_argument("--weight-scale", dest="weight_scales", type=_weight_scale, nargs="+")
    g.add_argument("--dropout", dest="dropouts", type=_PROBABILITY, nargs="+")
    g.add_argument("--normalization", dest="normalizations", nargs="+", choices=["none", "batchnorm", "layernorm"])
    p.add_argument("--jobs", type=_POSITIVE_INT, default=1, help="trials in parallel processes (default 1)")
    p.add_argument("--search-seed", type=_SEED, default=0, help="seed of the trial draws (default 0)")
    p.add_argument("--show", type=_POSITIVE_INT, default=10, help="rows of the ranked table (default 10)")
    p.add_argument("--config", help="JSON file of base options")
    p.add_argument("--out", help="output directory (default runs/search-<time>); an existing one is resumed")
    _add_study_options(p, required=False)
    p.add_argument("--pruner", choices=list(PRUNERS), default="none",
                   help="stop unpromising trials after an epoch (default none: every trial runs in full)")

    p = command("search-worker", "run the trials of a shared search study until none is left", cmd_search_worker)
    _add_study_options(p, required=True)
    p.add_argument("--out", help="where this worker keeps its trained models (default runs/worker-<time>)")

    p = command("gradcheck", "numerical gradient check of a configured network (always in float64)", cmd_gradcheck)
    _add_network_options(p, dtype=False)
    p.add_argument("--samples", type=_number(int, 1, maximum=MAX_SAMPLES), default=4, help="samples in the random batch (default 4; "
                   "batch norm needs 2 or more)")
    p.add_argument("--tolerance", type=_POSITIVE, default=1e-7,
                   help="largest acceptable relative error (default 1e-7)")
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

        with threadpool_limits(args.threads) if getattr(args, "threads", None) else contextlib.nullcontext():
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
        print(f"error: not enough memory: {exc or 'an array was too large'}; use smaller sizes (--hidden, "
              "--batch-size, --samples, --limit) or a smaller file", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
