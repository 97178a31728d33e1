"""`fcnet report RUN_DIR`: one self-contained report.html (no network; every figure inline as a PNG data URL)
with the configuration, the curves, the findings, the measurements per layer over time, the confusion matrix with
per-class precision and recall, the most confidently misclassified examples and the first-layer weights."""

from __future__ import annotations

import base64
import html
import io as _io
import json
from pathlib import Path
from typing import Any

import numpy as np

from fcnet.diagnostics.findings import diagnose

MISCLASSIFIED = 16


def _png(fig) -> str:
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="{_png(fig)}">'


def _table(rows: list[list[Any]], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = (
                float(value)
                if any(c in value for c in ".e") and not value.startswith("[")
                else value
            )
        except ValueError:
            pass
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def measurement_figures(records: list[dict]) -> list[str]:
    """Per layer: activation mean/std and dead or saturated fraction over the iterations; per weight: the
    update-to-weight ratio (with the healthy 1e-3 marked) and the gradient norm."""
    from fcnet.plots import _figure

    if not records:
        return []
    figures = []
    iterations = [r["iteration"] for r in records]
    layers = list(records[-1]["layers"])
    if layers:
        fig = _figure(9, 2.6 * len(layers))
        axes = np.atleast_1d(fig.subplots(len(layers), 2, squeeze=False))
        for row, name in enumerate(layers):
            kind = records[-1]["layers"][name].get("kind", "")
            stats = [r["layers"].get(name, {}) for r in records]
            ax = axes[row, 0]
            ax.plot(iterations, [s.get("mean", np.nan) for s in stats], label="mean")
            ax.plot(iterations, [s.get("std", np.nan) for s in stats], label="std")
            ax.set_title(f"{name} ({kind}) activations")
            ax.legend(fontsize=8)
            ax = axes[row, 1]
            key = "dead" if "dead" in stats[-1] else "saturated"
            ax.plot(iterations, [s.get(key, np.nan) for s in stats], color="C3")
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(f"{name}: fraction {key}")
            ax.set_xlabel("iteration")
        figures.append(_img(fig, "activations per layer"))
    weights = [n for n in records[-1]["params"] if n.startswith("W")]
    if weights:
        fig = _figure(9, 3.2)
        left, right = fig.subplots(1, 2)
        for name in weights:
            ratios = [r["params"][name]["update_ratio"] for r in records]
            left.plot(iterations, [np.nan if v is None else v for v in ratios], label=name)
            norms = [r["params"][name]["grad_norm"] for r in records]
            right.plot(iterations, [np.nan if v is None else v for v in norms], label=name)
        left.axhline(1e-3, color="0.5", linestyle="--", linewidth=0.8)
        left.set_yscale("log")
        left.set_title("update / weight ratio (healthy near 1e-3)")
        right.set_yscale("log")
        right.set_title("gradient norm")
        for ax in (left, right):
            ax.set_xlabel("iteration")
            ax.legend(fontsize=8)
        figures.append(_img(fig, "update ratios and gradient norms"))
    return figures


def _evaluation(run: Path, config: dict, model_name: str = "model.npz") -> tuple[str, list[str]]:
    """The test split's confusion matrix, per-class precision and recall, the most confidently misclassified
    examples and the first-layer weights (empty when the model or data cannot be loaded)."""
    import fcnet
    from fcnet.data import IMAGE_SHAPES, load_dataset
    from fcnet.plots import _figure, plot_confusion_matrix, show_net_weights
    from fcnet.runs import class_names, confusion_matrix

    model_file = run / model_name
    if not model_file.is_file() or "dataset" not in config:
        return "", []
    model = fcnet.load(model_file)
    data = load_dataset(
        config["dataset"],
        data_dir=config.get("data_dir"),
        seed=config.get("seed", 0),
        limit=config.get("limit"),
    )
    split = "test" if "X_test" in data else "val"
    X, y = data[f"X_{split}"], np.asarray(data[f"y_{split}"])
    proba = model.predict_proba(X)
    predicted = proba.argmax(axis=1)
    names = class_names(config["dataset"], model.num_classes)
    confusion = confusion_matrix(y, predicted, model.num_classes)
    precision = np.divide(
        np.diag(confusion),
        confusion.sum(axis=0),
        out=np.full(len(names), np.nan),
        where=confusion.sum(axis=0) > 0,
    )
    recall = np.divide(
        np.diag(confusion),
        confusion.sum(axis=1),
        out=np.full(len(names), np.nan),
        where=confusion.sum(axis=1) > 0,
    )
    accuracy = float(np.mean(predicted == y))
    table = _table(
        [
            [n, float(p), float(r), int(s)]
            for n, p, r, s in zip(names, precision, recall, confusion.sum(axis=1))
        ],
        ["class", "precision", "recall", "samples"],
    )
    figures = [
        _img(
            plot_confusion_matrix(
                confusion, names, title=f"{split} split: accuracy {accuracy:.4f}"
            ),
            "confusion matrix",
        )
    ]
    shape = IMAGE_SHAPES.get(config["dataset"])
    wrong = np.flatnonzero(predicted != y)
    if shape is not None and len(wrong):
        order = wrong[np.argsort(-proba[wrong, predicted[wrong]])][:MISCLASSIFIED]
        fig = _figure(9, 2.6 * ((len(order) + 7) // 8))
        axes = np.atleast_1d(fig.subplots((len(order) + 7) // 8, 8, squeeze=False)).ravel()
        for ax, i in zip(axes, order):
            image = X[i].reshape(shape)
            ax.imshow(image.squeeze(), cmap="gray" if image.ndim == 2 or shape[-1] == 1 else None)
            ax.set_title(
                f"{names[predicted[i]]} {proba[i, predicted[i]]:.2f}\n(is {names[y[i]]})",
                fontsize=7,
            )
        for ax in axes:
            ax.axis("off")
        figures.append(_img(fig, "most confidently misclassified"))
        figures.append(_img(show_net_weights(model, shape), "first-layer weights"))
    return f"<h2>Per class ({split} split)</h2>{table}", figures


STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#222}
table{border-collapse:collapse;margin:0.5rem 0;font-size:0.9rem;display:block;overflow-x:auto}td,th{border:1px solid #ccc;padding:0.2rem 0.6rem;text-align:left}
img{max-width:100%;display:block;margin:0.5rem 0}.finding{background:#fff6e5;border-left:4px solid #e8a33d;
padding:0.4rem 0.8rem;margin:0.4rem 0}.healthy{background:#eef8ee;border-left:4px solid #4caf50;padding:0.4rem 0.8rem}"""


def _page(title: str, parts: list[str]) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from None


def write_search_report(search: Path, out: Path | None = None) -> Path:
    """report.html of a search directory: the search's space, the trials ranked, the pruned trials with their
    validation accuracy per epoch, and the best trial's model evaluated (confusion, misclassified, weights)."""
    import csv

    from fcnet.plots import _figure
    from fcnet.saving import atomic_file

    description = _read_json(search / "search.json")
    base = description.get("base")
    if isinstance(base, str):  # older search.json files keep the base configuration as its repr
        import ast

        try:
            base = ast.literal_eval(base)
        except (ValueError, SyntaxError):
            base = {}
    base = base if isinstance(base, dict) else {}
    rows = (
        list(csv.DictReader((search / "results.csv").open(encoding="utf-8")))
        if (search / "results.csv").is_file()
        else []
    )
    rows.sort(key=lambda r: -float(r.get("val_acc") or 0))
    epochs = (
        list(csv.DictReader((search / "pruning.csv").open(encoding="utf-8")))
        if (search / "pruning.csv").is_file()
        else []
    )
    parts = [
        f"<h1>fcnet search {html.escape(search.name)}</h1>",
        f"<p>{html.escape(str(description.get('mode')))} search on {html.escape(str(base.get('dataset')))}, "
        f"{len(rows)} finished trial{'s' if len(rows) != 1 else ''}, pruner "
        f"{html.escape(str(description.get('pruner')))}</p>",
        "<h2>Space</h2>",
        _table(sorted((description.get("space") or {}).items()), ["option", "values"]),
        "<h2>Trials, best first</h2>",
        _table([list(r.values()) for r in rows], list(rows[0]) if rows else []),
    ]
    pruned = sorted({r["trial"] for r in epochs if r.get("state") == "pruned"}, key=int)
    parts.append("<h2>Pruned trials</h2>")
    parts.append(
        _table(
            [
                [
                    t,
                    max(int(r["epoch"]) for r in epochs if r["trial"] == t),
                    max(float(r["val_acc"]) for r in epochs if r["trial"] == t),
                ]
                for t in pruned
            ],
            ["trial", "last epoch", "best validation accuracy"],
        )
        if pruned
        else "<p>None.</p>"
    )
    if epochs:
        fig = _figure(8, 3.6)
        ax = fig.add_subplot()
        for trial in sorted({r["trial"] for r in epochs}, key=int):
            points = [
                (int(r["epoch"]), float(r["val_acc"])) for r in epochs if r["trial"] == trial
            ]
            style = "--" if trial in pruned else "-"
            ax.plot(
                *zip(*points),
                style,
                label=f"trial {trial}" + (" (pruned)" if trial in pruned else ""),
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy")
        ax.legend(fontsize=7, ncol=2)
        parts.append(_img(fig, "validation accuracy per epoch"))
    if (search / "search.png").is_file():
        data = base64.b64encode((search / "search.png").read_bytes()).decode("ascii")
        parts.append(f'<img alt="search results" src="data:image/png;base64,{data}">')
    if rows and (search / "best_model.npz").is_file():
        parts.append(f"<h2>The best trial ({html.escape(rows[0]['trial'])})</h2>")
        table, figures = _evaluation(search, base, "best_model.npz")
        parts += [table, *figures]
    path = out or search / "report.html"
    with atomic_file(path, "w") as f:
        f.write(_page(f"fcnet search {search.name}", parts))
    return path


def write_report(run: Path, out: Path | None = None) -> Path:
    """Write `run`/report.html (or `out`) for a run directory of `fcnet train` or a search directory of
    `fcnet search`; returns its path."""
    from fcnet.plots import plot_history
    from fcnet.saving import atomic_file

    if not run.is_dir():
        raise FileNotFoundError(f"{run}: no such run directory")
    if (run / "search.json").is_file():
        return write_search_report(run, out)
    files = {}
    for name in ("config.json", "history.json", "summary.json"):
        path = run / name
        if not path.is_file():
            raise FileNotFoundError(f"{run} has no {name}: it is not a finished fcnet train run")
        try:
            files[name] = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is not JSON: {exc}") from None
    config, history, summary = files["config.json"], files["history.json"], files["summary.json"]
    facts = summary.get("facts") if isinstance(summary.get("facts"), dict) else {}
    findings = diagnose(
        {**history, "stop_reason": summary.get("stop_reason")},
        **{k: facts[k] for k in ("num_classes", "input_scale", "reg") if k in facts},
    )
    parts = [
        f"<h1>fcnet run {html.escape(run.name)}</h1>",
        f"<p>{html.escape(str(config.get('dataset')))}, hidden {html.escape(str(config.get('hidden_dims')))}, "
        f"{html.escape(str(config.get('update_rule')))}: best validation accuracy "
        f"{summary.get('best_val_acc', float('nan')):.4f}, test accuracy "
        f"{_cell(summary.get('test_acc'))}, {summary.get('epochs')} epochs "
        f"({html.escape(str(summary.get('stop_reason')))})</p>",
        "<h2>Findings</h2>",
    ]
    if findings:
        parts += [
            f'<div class="finding"><b>{html.escape(f.kind)}</b>'
            f"{' (' + html.escape(f.where) + ')' if f.where else ''}: "
            f"{html.escape(', '.join(f'{k} {_cell(v)}' for k, v in f.evidence.items()))}. "
            f"{html.escape(f.advice)}</div>"
            for f in findings
        ]
    else:
        parts.append('<div class="healthy">No finding: the run looks healthy.</div>')
    parts += [
        "<h2>Curves</h2>",
        _img(plot_history(history, title=str(config.get("dataset"))), "curves"),
    ]
    measured = measurement_figures(history.get("diagnostics") or [])
    if measured:
        parts += ["<h2>Inside the network</h2>", *measured]
    table, figures = _evaluation(run, config)
    if table:
        parts += [table, *figures]
    parts += ["<h2>Configuration</h2>", _table(sorted(config.items()), ["option", "value"])]
    page = _page(f"fcnet report {run.name}", parts)
    path = out or run / "report.html"
    with atomic_file(path, "w") as f:
        f.write(page)
    return path
