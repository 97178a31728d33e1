"""ECE C147/C247 HW3 ``nndl/neural_net.py``: ``TwoLayerNet(input_size, hidden_size, output_size, std=1e-4)``
with W1 (H, D), W2 (C, H) and the L2 term ``0.5 * reg * sum(W**2)`` (the course's check: loss
1.071696123862817 at reg 0.05); ``train`` prints every loss in full."""

from fcnet.courses._neural_net import AssignmentOneTwoLayerNet

__all__ = ["TwoLayerNet"]


class TwoLayerNet(AssignmentOneTwoLayerNet):
    __doc__ = AssignmentOneTwoLayerNet.__doc__
    transposed = True
    l2_factor = 0.5
    log_line = "iteration {} / {}: loss {}"

    def train(
        self,
        X,
        y,
        X_val,
        y_val,
        learning_rate=1e-3,
        learning_rate_decay=0.95,
        reg=1e-5,
        num_iters=100,
        batch_size=200,
        verbose=False,
    ):
        return super().train(
            X,
            y,
            X_val,
            y_val,
            learning_rate,
            learning_rate_decay,
            reg,
            num_iters,
            batch_size,
            verbose,
        )

    train.__doc__ = (
        AssignmentOneTwoLayerNet.train.__doc__ + "\n        ECE C147's default reg is 1e-5."
    )
