"""The bodies of the ``fcnet`` commands: each takes the parsed arguments, calls the library (fcnet.runs,
fcnet.search, fcnet.study_engine) and prints what it did. fcnet.cli declares the arguments."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


class CliError(Exception):
    """An error to report in one line."""


_OPTION_TO_FIELD = {
    "dataset": "dataset",
    "data_dir": "data_dir",
    "limit": "limit",
    "hidden": "hidden_dims",
    "activation": "activation",
    "alpha": "alpha",
    "normalization": "normalization",
    "dropout": "dropout",
    "reg": "reg",
    "weight_scale": "weight_scale",
    "dtype": "dtype",
    "seed": "seed",
    "optimizer": "update_rule",
    "lr": "learning_rate",
    "momentum": "momentum",
    "beta1": "beta1",
    "beta2": "beta2",
    "epsilon": "epsilon",
    "decay_rate": "decay_rate",
    "weight_decay": "weight_decay",
    "lr_decay": "lr_decay",
    "schedule": "lr_schedule",
    "schedule_options": "lr_schedule_options",
    "epochs": "num_epochs",
    "batch_size": "batch_size",
    "early_stopping": "early_stopping_patience",
    "early_stopping_metric": "early_stopping_metric",
    "min_delta": "early_stopping_min_delta",
    "divergence_factor": "divergence_factor",
    "restore_best": "restore_best",
    "num_train_samples": "num_train_samples",
    "num_val_samples": "num_val_samples",
    "sample_with_replacement": "sample_with_replacement",
    "diagnostics": "diagnostics",
}


def _config(args: argparse.Namespace):
    """A TrainConfig: defaults, then the --config file, then the options given on the command line."""
    from fcnet.runs import TrainConfig, read_json_object

    values = {}
    if getattr(args, "config", None):
        values = read_json_object(Path(args.config), f"--config {args.config}")
        TrainConfig.from_dict(
            values, source=f"--config {args.config}"
        )  # its own errors name the file
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

    given = [
        f"--{option.replace('_', '-')}"
        for option in [*_OPTION_TO_FIELD, "config", "out", "force"]
        if getattr(args, option, None) not in (None, False) and option != "epochs"
    ]
    if given:
        raise CliError(
            f"--resume takes its settings from {Path(args.resume) / 'config.json'}; do not give "
            f"{', '.join(given)} (only --epochs, to extend the run)"
        )
    path = Path(args.resume) / "config.json"
    values = read_json_object(path, f"--resume {path}") if path.is_file() else {}
    if args.epochs is not None:
        values["num_epochs"] = args.epochs
    return TrainConfig.from_dict(values, source=str(path))


def cmd_train(args) -> None:
    from fcnet.runs import train_run

    config = _resume_config(args) if args.resume else _config(args)
    out = Path(args.resume or args.out or f"runs/train-{time.strftime('%Y%m%d-%H%M%S')}")
    print(
        f"Training {config.hidden_dims} {config.activation} network on {config.dataset} with "
        f"{config.update_rule} (lr {config.learning_rate:g}) for {config.num_epochs} epochs -> {out}"
    )
    try:
        summary = train_run(
            config,
            out,
            verbose=not args.quiet,
            resume=bool(args.resume),
            force=args.force,
            keep_checkpoints=args.keep_checkpoints,
        )  # a RunDirError is a ValueError: one line
    except KeyboardInterrupt:
        resumable = (out / "config.json").is_file() and any(out.glob("checkpoint_*.npz"))
        print(
            "error: interrupted"
            + (f"; continue with 'fcnet train --resume {out}'" if resumable else ""),
            file=sys.stderr,
        )
        raise SystemExit(130) from None
    if summary["stop_reason"] == "interrupted":
        print(
            f"Interrupted: the best state so far is in {out / 'model.npz'}; continue with "
            f"'fcnet train --resume {out}'",
            file=sys.stderr,
        )
        raise SystemExit(130)
    test = "n/a" if summary["test_acc"] is None else f"{summary['test_acc']:.4f}"
    print(
        f"Final validation accuracy: {summary['val_acc']:.4f}   test accuracy: {test}   "
        f"({summary['epochs']} epochs, {summary['stop_reason']}, {summary['seconds']:.1f} s)"
    )
    print(
        f"Run directory: {out} (config.json, history.csv, model.npz, loss.png, accuracy.png"
        f"{', weights.png' if (out / 'weights.png').exists() else ''})"
    )
    findings = summary.get("findings") or []
    kinds = ", ".join(f["kind"] + (f" ({f['where']})" if f.get("where") else "") for f in findings)
    print(f"Findings: {kinds}; `fcnet diagnose {out}` says more" if findings else "Findings: none")


def _load_model(path):
    """(the network, its class labels or None): a saved FCNetClassifier gives its network and its classes_; an
    exported .onnx file is run by onnxruntime (fcnet.export.onnx_model)."""
    import fcnet
    from fcnet.runs import resolve_model_path

    if str(path).endswith(".onnx"):
        from fcnet.export.onnx_model import OnnxModel

        model = OnnxModel(path)
        return model, model.estimator_labels
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
    data = load_dataset(
        dataset,
        data_dir=args.data_dir or saved.get("data_dir"),
        seed=saved.get("seed", 0),
        limit=saved.get("limit") if same_data else None,
        download=args.download,
    )
    X, y = data[f"X_{args.split}"], data[f"y_{args.split}"]
    if args.limit is not None:
        X, y = X[: args.limit], y[: args.limit]
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
        raise CliError(
            f"{dataset} has labels {unknown[:5]} that the estimator never saw (its classes: "
            f"{labels[:10]})"
        )
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
        print(
            f"{label}: {names[best[0]]}  ("
            + ", ".join(f"{names[k]}: {p[k]:.3f}" for k in best)
            + ")"
        )


def cmd_export(args) -> None:
    from fcnet.export.files import export_model

    model, _ = _load_model(args.model)
    if str(args.model).endswith(".onnx"):
        raise CliError(
            f"{args.model} is already an exported file; export a run directory or an fcnet model file"
        )
    import fcnet
    from fcnet.runs import resolve_model_path

    saved = fcnet.load(
        resolve_model_path(args.model)
    )  # the estimator itself, when it is one: its class labels
    path = export_model(
        saved, args.format, args.out, opset=args.opset, probabilities=not args.logits
    )
    print(f"Wrote {path} ({args.format})")


def cmd_info(args) -> None:
    from fcnet.runs import describe_model, resolve_model_path

    model, labels = _load_model(args.model)
    path = resolve_model_path(args.model)
    saved = _saved_config(args.model)
    kind = (
        type(model).__name__
        if labels is None
        else f"FCNetClassifier (classes {labels[:10]}) over a {type(model).__name__}"
    )
    print(
        f"{path}: {kind}, {model.input_dim} inputs -> {model.hidden_dims} -> "
        f"{model.num_classes} classes, {model.activation}, normalization {model.normalization or 'none'}, "
        f"dropout {model.dropout:g}, {model.loss_name} loss, dtype {model.dtype.name}"
    )
    rows = describe_model(model)
    for name, shape, count in rows:
        print(f"  {name:<10} {shape:>12} {count:>10,d}")
    print(f"  {'total':<10} {'':>12} {sum(count for *_, count in rows):>10,d} parameters")
    summary_file = path.parent / "summary.json"
    if saved and summary_file.is_file():
        try:
            summary = json.loads(summary_file.read_text())
            print(
                f"trained on {saved.get('dataset')} with {saved.get('update_rule')} (lr {saved.get('learning_rate')})"
                f" for {summary['epochs']} epochs ({summary['stop_reason']}): best validation accuracy "
                f"{summary['best_val_acc']:.4f}, test accuracy "
                f"{'n/a' if summary.get('test_acc') is None else format(summary['test_acc'], '.4f')}"
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise CliError(f"{summary_file} is not a readable run summary: {exc}") from None


def cmd_compare(args) -> None:
    from fcnet import plots
    from fcnet.experiments import HOMEWORK_LEARNING_RATES, compare_optimizers, rule_configs
    from fcnet.run_dirs import check_writable

    config = _config(args)
    lrs = {
        rule: args.lr if args.lr is not None else HOMEWORK_LEARNING_RATES[rule]
        for rule in args.rules
    }
    lrs.update(dict(args.lrs or []))
    out = Path(args.out or f"runs/compare-{time.strftime('%Y%m%d-%H%M%S')}")
    rule_configs(
        config, args.rules, lrs
    )  # every rule's options, before anything is written or trained
    check_writable(out)

    def report(rule, result):
        print(
            f"  {rule:<18} lr {lrs[rule]:<8g} best val {result.solver.best_val_acc:.4f}  "
            f"({result.seconds:.1f} s, {result.solver.stop_reason})",
            flush=True,
        )

    print(
        f"Training one {config.hidden_dims} network per rule on {config.dataset} for {config.num_epochs} epochs"
    )
    results = compare_optimizers(config, args.rules, lrs, on_result=report)
    solvers = {rule: result.solver for rule, result in results.items()}
    print(f"{'rule':<18} {'lr':>8} {'final loss':>10} {'best val':>9} {'test':>7} {'seconds':>8}")
    for rule, result in results.items():
        s = result.solver
        test = "n/a" if result.test_acc is None else f"{result.test_acc:.4f}"
        print(
            f"{rule:<18} {s.base_learning_rate:>8g} {np.mean(s.loss_history[-10:]):>10.4f} "
            f"{s.best_val_acc:>9.4f} {test:>7} {result.seconds:>8.1f}"
        )
    out.mkdir(parents=True, exist_ok=True)
    plots.plot_optimizer_comparison(solvers, out / "optimizers.png")
    from fcnet import saving

    saving.write_text(
        out / "optimizers.json",
        json.dumps(
            {
                r: {
                    "learning_rate": s.base_learning_rate,
                    "best_val_acc": s.best_val_acc,
                    "test_acc": results[r].test_acc,
                    **s.history.to_dict(),
                    **s.summary(),
                }
                for r, s in solvers.items()
            }
        ),
    )
    print(f"Wrote {out / 'optimizers.png'} and {out / 'optimizers.json'}")


def cmd_gradcheck(args) -> None:
    from fcnet.experiments import gradient_check

    config = _config(args)
    if config.normalization == "batchnorm" and args.samples < 2:
        raise CliError(
            f"--samples {args.samples}: batch normalization in training mode needs at least 2 samples per "
            "batch; give --samples 2 or more"
        )
    errors = gradient_check(config, num_samples=args.samples, seed=config.seed)
    worst = max(errors.values())
    print("relative error per parameter (norm-wise, against the largest gradient's scale):")
    for name, error in errors.items():
        print(f"{name} relative error: {error:.2e}")
    print(
        f"largest relative error: {worst:.2e} ({'ok' if worst < args.tolerance else 'TOO LARGE'})"
    )
    if worst >= args.tolerance:
        raise SystemExit(1)


# ---- parser -----------------------------------------------------------------------------------------------------
