"""FCNetClassifier against scikit-learn's MLPClassifier: the same architecture (ReLU), Adam at the same learning
rate, the same batch size and number of epochs, no L2, no early stopping; accuracy on the test split and fit time.

Both run in this process at one BLAS thread, interleaved in shuffled rounds; the table gives the median fit time
of the rounds and the ratio fcnet / scikit-learn. MLPClassifier's stop on a flat training loss is switched off
(n_iter_no_change above max_iter) so that both train for exactly the same number of epochs.
"""

from __future__ import annotations

import random
import time
import warnings

import numpy as np

from _timing import Row

ROUNDS = 5
CASES = {  # dataset: (hidden layers, epochs, batch size)
    "digits": ((100,), 50, 64),
    "fashion-mnist": ((256,), 10, 128),
}


def _estimators(hidden, epochs, batch, seed):
    from sklearn.neural_network import MLPClassifier

    from fcnet.sklearn import FCNetClassifier

    return {
        "fcnet": FCNetClassifier(
            hidden_layer_sizes=hidden,
            max_iter=epochs,
            batch_size=batch,
            learning_rate=1e-3,
            random_state=seed,
        ),
        "sklearn": MLPClassifier(
            hidden_layer_sizes=hidden,
            max_iter=epochs,
            batch_size=batch,
            learning_rate_init=1e-3,
            alpha=0.0,
            n_iter_no_change=epochs + 1,
            tol=0.0,
            random_state=seed,
        ),
    }


def _data(name):
    from sklearn.preprocessing import StandardScaler

    from fcnet.data import load_dataset

    data = load_dataset(name)
    X_train = np.concatenate([data["X_train"], data["X_val"]])
    y_train = np.concatenate([data["y_train"], data["y_val"]])
    if name == "digits":
        scaler = StandardScaler().fit(X_train)
        return scaler.transform(X_train), y_train, scaler.transform(data["X_test"]), data["y_test"]
    return X_train, y_train, data["X_test"], data["y_test"]


def run() -> list[Row]:
    from threadpoolctl import threadpool_limits

    rows = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning at max_iter
        for name, (hidden, epochs, batch) in CASES.items():
            X, y, X_test, y_test = _data(name)
            times: dict[str, list[float]] = {"fcnet": [], "sklearn": []}
            accuracy: dict[str, list[float]] = {"fcnet": [], "sklearn": []}
            for round_ in range(ROUNDS):
                estimators = _estimators(hidden, epochs, batch, seed=round_)
                order = list(estimators)
                random.Random(round_).shuffle(order)
                for who in order:
                    start = time.perf_counter()
                    estimators[who].fit(X, y)
                    times[who].append(time.perf_counter() - start)
                    accuracy[who].append(float(np.mean(estimators[who].predict(X_test) == y_test)))
            fcnet_acc, sk_acc = np.median(accuracy["fcnet"]), np.median(accuracy["sklearn"])
            rows.append(
                Row(
                    f"{name} {list(hidden)} {epochs} ep: acc fcnet {fcnet_acc:.4f} / sk {sk_acc:.4f}",
                    float(np.median(times["fcnet"])),
                    "MLPClassifier, same net/epochs",
                    float(np.median(times["sklearn"])),
                    "1 thread, median of 5",
                )
            )
            print(
                f"{name}: fcnet acc {accuracy['fcnet']} times {np.round(times['fcnet'], 2).tolist()}; "
                f"sklearn acc {accuracy['sklearn']} times {np.round(times['sklearn'], 2).tolist()}",
                flush=True,
            )
    return rows
