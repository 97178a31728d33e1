"""Write model.onnx and model.json for the browser page: a trained fcnet network exported to ONNX.

    python3 make_model.py                              # trains on Fashion-MNIST (draw a garment)
    python3 make_model.py --dataset digits             # scikit-learn's 8x8 digits (draw a digit)
    python3 make_model.py --run runs/my-run            # export a run of `fcnet train` instead

Then serve this folder: python3 -m http.server 8000 --bind 127.0.0.1, and open http://127.0.0.1:8000.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import fcnet
from fcnet.data import load_dataset
from fcnet.export import to_onnx
from fcnet.runs import class_names, resolve_model_path, run_config
from fcnet.solver import Solver

HERE = Path(__file__).resolve().parent
TITLES = {
    "fashion-mnist": "Fashion-MNIST (draw a garment)",
    "digits": "8x8 digits (draw a digit)",
    "mnist": "MNIST (draw a digit)",
}


def train(dataset: str, epochs: int, limit: int | None) -> fcnet.FullyConnectedNet:
    data = load_dataset(dataset, seed=0, limit=limit)
    model = fcnet.FullyConnectedNet(
        [200],
        input_dim=data["X_train"].shape[1],
        num_classes=10,
        weight_scale="he",
        normalization="batchnorm",
        dropout=0.1,
        seed=0,
    )
    Solver(
        model,
        data,
        update_rule="adam",
        optim_config={"learning_rate": 1e-3},
        num_epochs=epochs,
        batch_size=100,
        seed=0,
        verbose=False,
        progress=False,
    ).train()
    return model


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(TITLES), default="fashion-mnist")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--limit", type=int, help="train on the first N samples only")
    parser.add_argument(
        "--run", help="export the model of this run directory (or model file) instead of training"
    )
    parser.add_argument(
        "--out", default=str(HERE), help="where to write model.onnx and model.json (default: here)"
    )
    args = parser.parse_args(argv)
    dataset = args.dataset
    if args.run:
        model = fcnet.load(resolve_model_path(args.run))
        dataset = (run_config(args.run) or {}).get("dataset", dataset)
    else:
        model = train(dataset, args.epochs, args.limit)
    side = math.isqrt(model.input_dim)
    if side * side != model.input_dim:
        raise SystemExit(
            f"the page draws square images; a model of {model.input_dim} inputs is not one"
        )
    out = Path(args.out)
    to_onnx(model, out / "model.onnx", dtype="float32")
    info = {
        "side": side,
        "class_names": class_names(dataset, model.num_classes),
        "title": TITLES.get(dataset, dataset),
    }
    (out / "model.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"Wrote {out / 'model.onnx'} and {out / 'model.json'} ({info['title']})")


if __name__ == "__main__":
    main()
