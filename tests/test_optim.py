import numpy as np
import pytest

from fcnet import optim
from fcnet.gradient_check import rel_error
from fcnet.optim import UPDATE_RULES

N, D = 4, 5


def seed_inputs():
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    return w, dw


def test_sgd_momentum_seed_check():
    w, dw = seed_inputs()
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = optim.sgd_momentum(w, dw, config={"learning_rate": 1e-3, "velocity": v})
    expected_next_w = np.asarray(
        [
            [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
            [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
            [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
            [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096],
        ]
    )
    expected_velocity = np.asarray(
        [
            [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
            [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
            [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
            [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096],
        ]
    )
    # cs231n 2017's write-up prints 8.88234703351e-09 and 4.26928774328e-09
    assert rel_error(next_w, expected_next_w) == pytest.approx(8.88234703351e-09, rel=1e-11)
    assert rel_error(config["velocity"], expected_velocity) == pytest.approx(
        4.26928774328e-09, rel=1e-11
    )


def test_rmsprop_fixed_input_check():
    w, dw = seed_inputs()
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = optim.rmsprop(w, dw, config={"learning_rate": 1e-2, "cache": cache})
    expected_next_w = np.asarray(
        [
            [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
            [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
            [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
            [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619],
        ]
    )
    expected_cache = np.asarray(
        [
            [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
            [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
            [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
            [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926],
        ]
    )
    assert rel_error(next_w, expected_next_w) < 1e-7
    assert rel_error(config["cache"], expected_cache) < 1e-7


def test_adam_fixed_input_check():
    w, dw = seed_inputs()
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = optim.adam(w, dw, config={"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    expected_next_w = np.asarray(
        [
            [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
            [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
            [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
            [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459],
        ]
    )
    expected_v = np.asarray(
        [
            [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
            [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
            [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
            [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966],
        ]
    )
    expected_m = np.asarray(
        [
            [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
            [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
            [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
            [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85],
        ]
    )
    # the expected values are printed to 8 decimals: 0.01971428 alone carries a rounding error of 1.1e-7
    assert rel_error(next_w, expected_next_w) < 1e-6
    assert rel_error(config["v"], expected_v) < 1e-7
    assert rel_error(config["m"], expected_m) < 1e-7
    assert config["t"] == 6


# The MNIST MLP homework's update formulas, written out plainly, as independent references for the fixed-input checks.
def mnist_mlp_homework_step(rule, w, g, state, lr, eps=1e-8, beta=0.9, beta2=0.999):
    if rule == "nesterov_momentum":
        state["v"] = beta * state["v"] + lr * g
        return w - (beta * state["v"] + lr * g)
    if rule == "adagrad":
        state["s"] = state["s"] + g * g
        return w - lr * g / (np.sqrt(state["s"]) + eps)
    if rule == "adabelief":
        state["t"] += 1
        state["v"] = beta * state["v"] + (1 - beta) * g
        state["s"] = beta2 * state["s"] + (1 - beta2) * (g - state["v"]) ** 2
        v_hat = state["v"] / (1 - beta ** state["t"])
        s_hat = state["s"] / (1 - beta2 ** state["t"])
        return w - lr / (np.sqrt(s_hat) + eps) * v_hat
    if rule == "sgd":
        return w - lr * g
    raise AssertionError(rule)


@pytest.mark.parametrize("rule", ["sgd", "nesterov_momentum", "adagrad", "adabelief"])
def test_fixed_input_checks_against_mnist_mlp_homework_formulas(rule):
    w, dw = seed_inputs()
    config = {"learning_rate": 1e-2, "epsilon": 1e-8}
    state = {"v": np.zeros_like(w), "s": np.zeros_like(w), "t": 0}
    ours, ref = w.copy(), w.copy()
    for step in range(3):
        g = dw * (step + 1) - 0.1 * ours
        ours, config = optim.UPDATE_RULES[rule](ours, g, config)
        ref = mnist_mlp_homework_step(rule, ref, dw * (step + 1) - 0.1 * ref, state, 1e-2)
    assert rel_error(ours, ref) < 1e-12


@pytest.mark.parametrize("rule", sorted(optim.UPDATE_RULES))
def test_rules_do_not_modify_w_and_keep_state_in_place(rule):
    w, dw = seed_inputs()
    w_before = w.copy()
    next_w, config = optim.UPDATE_RULES[rule](w, dw, None)
    np.testing.assert_array_equal(w, w_before)
    states = {k: v for k, v in config.items() if isinstance(v, np.ndarray)}
    next_w, config2 = optim.UPDATE_RULES[rule](next_w, dw, config)
    assert config2 is config
    for k, v in states.items():
        assert config[k] is v  # updated in place


@pytest.mark.parametrize("rule", sorted(optim.UPDATE_RULES))
def test_every_rule_lowers_a_quadratic(rule):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 6))
    A = A @ A.T / 6 + np.eye(6)
    w = rng.standard_normal(6)
    config = {"learning_rate": 1e-2}
    start = 0.5 * w @ A @ w
    for _ in range(500):
        w, config = optim.UPDATE_RULES[rule](w, A @ w, config)
    assert 0.5 * w @ A @ w < 0.8 * start


def test_decoupled_weight_decay_shrinks_weights_with_zero_gradient():
    w = np.ones(3)
    next_w, _ = optim.adam(w, np.zeros(3), {"learning_rate": 0.1, "weight_decay": 0.5})
    np.testing.assert_allclose(next_w, 0.95)


def test_unknown_update_rule_lists_the_known_ones():
    with pytest.raises(
        ValueError, match=r"unknown update_rule 'adamax'; known: \['adabelief', 'adagrad'"
    ):
        optim.get_update_rule("adamax")


# ---------------------------------------------------------------------------------------------------------------
# 50-step trajectories against torch.optim
# ---------------------------------------------------------------------------------------------------------------
TORCH_CASES = [
    (
        "sgd_momentum",
        {"learning_rate": 0.01, "momentum": 0.9},
        "SGD",
        {"lr": 0.01, "momentum": 0.9},
    ),
    (
        "nesterov_momentum",
        {"learning_rate": 0.01, "momentum": 0.9},
        "SGD",
        {"lr": 0.01, "momentum": 0.9, "nesterov": True},
    ),
    (
        "rmsprop",
        {"learning_rate": 0.01, "decay_rate": 0.99, "epsilon": 1e-8},
        "RMSprop",
        {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    ),
    ("adagrad", {"learning_rate": 0.05, "epsilon": 1e-10}, "Adagrad", {"lr": 0.05, "eps": 1e-10}),
    (
        "adam",
        {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
        "Adam",
        {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8},
    ),
    (
        "adam",
        {"learning_rate": 0.01, "weight_decay": 0.1},
        "AdamW",
        {"lr": 0.01, "weight_decay": 0.1},
    ),
]


@pytest.mark.parametrize("rule, config, torch_name, torch_kwargs", TORCH_CASES)
def test_trajectory_matches_torch(rule, config, torch_name, torch_kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    A = rng.standard_normal((8, 8)) / 3
    target = rng.standard_normal(8)

    def grad(
        w,
    ):  # gradient of a smooth non-quadratic loss, so the trajectory depends on every step
        return A.T @ np.tanh(A @ w - target) + 0.1 * w**3

    w = rng.standard_normal(8)
    tw = torch.tensor(w.copy(), dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, torch_name)([tw], **torch_kwargs)
    config = dict(config)
    for _ in range(50):
        tw.grad = torch.tensor(grad(tw.detach().numpy()), dtype=torch.float64)
        opt.step()
        w, config = optim.UPDATE_RULES[rule](w, grad(w), config)
    np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("rule", sorted(UPDATE_RULES))
def test_update_in_place_equals_the_returned_array(rule):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4)).astype(np.float32)
    grads = [rng.standard_normal((6, 4)).astype(np.float32) for _ in range(5)]
    copy_w, copy_config, inplace_w, inplace_config = (
        w.copy(),
        {"weight_decay": 0.01},
        w.copy(),
        {"weight_decay": 0.01},
    )
    for g in grads:
        copy_w, copy_config = UPDATE_RULES[rule](copy_w, g, copy_config)
        returned, inplace_config = UPDATE_RULES[rule](inplace_w, g, inplace_config, out=inplace_w)
        assert returned is inplace_w
    np.testing.assert_array_equal(inplace_w, copy_w)


@pytest.mark.parametrize("rule", ["adam", "adabelief"])
def test_flushing_tiny_moments_moves_no_update_above_1e_22(rule, monkeypatch):
    import fcnet.optim_fused as optim_fused

    # a gradient that is non-zero once and zero afterwards: the first moment decays by 0.9 per step towards the
    # subnormal range, as it does for border pixels that are zero in every image
    dw_first = np.full(50, 1e-3, np.float32)
    dw_zero = np.zeros(50, np.float32)

    def run(flush_below):
        monkeypatch.setattr(optim_fused, "FLUSH_BELOW", flush_below)
        w, config, updates = np.ones(50, np.float32), {"learning_rate": 1e-3}, []
        for step in range(900):
            before = w.copy()
            w, config = UPDATE_RULES[rule](w, dw_first if step == 0 else dw_zero, config)
            updates.append(before.astype(np.float64) - w)
        return np.array(updates), config

    flushed, flushed_config = run(1e-30)
    kept, kept_config = run(0.0)
    assert np.all(flushed_config["m"] == 0)  # flushed at step 700 (0.9**700 * 1e-4 < 1e-30)
    assert np.any(
        (kept_config["m"] != 0) & (np.abs(kept_config["m"]) < np.finfo(np.float32).tiny)
    )  # subnormal
    assert np.max(np.abs(flushed - kept)) < 1e-22


def test_first_layer_input_gradient_is_skipped_and_the_rest_unchanged():
    from fcnet.layers import affine_backward, affine_forward

    rng = np.random.default_rng(0)
    x, w, b, dout = (
        rng.standard_normal((5, 7)),
        rng.standard_normal((7, 3)),
        rng.standard_normal(3),
        rng.standard_normal((5, 3)),
    )
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    none, dw2, db2 = affine_backward(dout, cache, input_grad=False)
    assert none is None and dx.shape == x.shape
    np.testing.assert_array_equal(dw, dw2)
    np.testing.assert_array_equal(db, db2)


@pytest.mark.parametrize("rule", sorted(UPDATE_RULES))
def test_optimizer_trajectory_equals_the_public_checked_kernel(rule):
    from fcnet.optimizer import Optimizer

    rng = np.random.default_rng(1)
    w = rng.standard_normal((5, 3)).astype(np.float32)
    grads = [
        rng.standard_normal((5, 3)).astype(np.float32) for _ in range(205)
    ]  # past a flush at step 200
    opt = Optimizer({"w": w.copy()}, rule, learning_rate=1e-3, weight_decay=0.1)
    kernel_w, config = w.copy(), {"learning_rate": 1e-3, "weight_decay": 0.1}
    for g in grads:
        opt.step({"w": g})
        kernel_w, config = UPDATE_RULES[rule](kernel_w, g, config)
    np.testing.assert_array_equal(opt.params["w"], kernel_w)
