"""A two-layer network written the long way (ECE C147 HW3's nndl/neural_net.py: W1 (H, D), W2 (C, H), 0.5 * reg): per-sample log-sum-exp, the
backward pass as explicit outer products, training with an index permutation instead of np.random.choice."""

import numpy as np


class TwoLayerNet(object):
    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {
            "W1": std * np.random.randn(hidden_size, input_size),
            "b1": np.zeros(hidden_size),
            "W2": std * np.random.randn(output_size, hidden_size),
            "b2": np.zeros(output_size),
        }

    def loss(self, X, y=None, reg=0.0):
        p = self.params
        pre = np.dot(X, p["W1"].T) + p["b1"]
        hidden = pre * (pre > 0)
        scores = np.dot(hidden, p["W2"].T) + p["b2"]
        if y is None:
            return scores
        n = X.shape[0]
        top = np.max(scores, axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.sum(np.exp(scores - top), axis=1))
        data_loss = np.sum(log_norm - scores[range(n), y]) / n
        loss = data_loss + 0.5 * reg * (np.sum(np.square(p["W1"])) + np.sum(np.square(p["W2"])))
        dscores = np.exp(scores - log_norm[:, None])
        dscores[range(n), y] -= 1
        dscores /= n
        grads = {"W2": np.zeros_like(p["W2"]), "b2": dscores.sum(axis=0)}
        for i in range(n):
            grads["W2"] += np.outer(dscores[i], hidden[i])
        dhidden = dscores.dot(p["W2"]) * (pre > 0)
        grads["W1"] = dhidden.T.dot(X) + reg * p["W1"]
        grads["b1"] = dhidden.sum(axis=0)
        grads["W2"] += reg * p["W2"]
        return loss, grads

    def train(
        self,
        X,
        y,
        X_val,
        y_val,
        learning_rate=1e-3,
        learning_rate_decay=0.95,
        reg=5e-6,
        num_iters=100,
        batch_size=200,
        verbose=False,
    ):
        num_train = X.shape[0]
        iterations_per_epoch = max(num_train / batch_size, 1)
        loss_history, train_acc_history, val_acc_history = [], [], []
        for it in range(num_iters):
            idx = np.random.permutation(num_train)[:batch_size]
            X_batch, y_batch = X[idx], y[idx]
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)
            for name in self.params:
                self.params[name] = self.params[name] - learning_rate * grads[name]
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
            if it % iterations_per_epoch == 0:
                train_acc_history.append((self.predict(X_batch) == y_batch).mean())
                val_acc_history.append((self.predict(X_val) == y_val).mean())
                learning_rate *= learning_rate_decay
        return {
            "loss_history": loss_history,
            "train_acc_history": train_acc_history,
            "val_acc_history": val_acc_history,
        }

    def predict(self, X):
        return self.loss(X).argmax(axis=1)
