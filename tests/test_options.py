"""Every Solver option a run can use is a TrainConfig field (config.json), and every TrainConfig field can be set
on the command line (issue: the house, one declaration per option; design review 2026-12-01)."""

import dataclasses

from fcnet.commands import _OPTION_TO_FIELD
from fcnet.runs import TrainConfig
from fcnet.solver_options import SolverOptions

# Solver arguments that are not settings of a run: the run supplies them itself, or they are code
RUN_SUPPLIED = {
    "optim_config",
    "checkpoint_name",
    "keep_checkpoints",
    "print_every",
    "verbose",
    "epoch_callback",
    "progress",
    "resume",
    "num_epochs",
    "lr_schedule_options",
}
CONFIG_ONLY = {"lr_schedule_options"}  # given as --schedule-options (JSON)


def test_every_solver_option_is_a_run_setting():
    solver_options = set(SolverOptions.names()) - RUN_SUPPLIED
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert solver_options <= fields, sorted(solver_options - fields)


def test_every_run_setting_has_a_command_line_option():
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert fields - CONFIG_ONLY <= set(_OPTION_TO_FIELD.values()) | {"lr_schedule_options"}, (
        sorted(fields - set(_OPTION_TO_FIELD.values()))
    )


def test_the_train_command_accepts_every_mapped_option():
    from fcnet.cli import build_parser

    args = build_parser().parse_args(["train"])
    missing = [option for option in _OPTION_TO_FIELD if not hasattr(args, option)]
    assert not missing, missing


def test_the_command_offers_exactly_the_registered_choices():
    """Each choice is declared once (the registries) and the command takes its lists from there."""
    from fcnet.cli import build_parser
    from fcnet.data import DATASETS
    from fcnet.models import ACTIVATIONS, NORMALIZATIONS
    from fcnet.optim import UPDATE_RULES
    from fcnet.schedules import SCHEDULES

    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    choices = {action.dest: action.choices for action in train._actions if action.choices}
    assert set(choices["activation"]) == set(ACTIVATIONS)
    assert set(choices["normalization"]) == {"none"} | (set(NORMALIZATIONS) - {None})
    assert set(choices["optimizer"]) == set(UPDATE_RULES)
    assert set(choices["schedule"]) == set(SCHEDULES)
    assert set(choices["dataset"]) == set(DATASETS)


def test_solver_options_are_frozen_and_checked_once():
    import pytest

    options = SolverOptions(update_rule="adam", optim_config={"learning_rate": 1e-3}, num_epochs=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.num_epochs = 3
    with pytest.raises(TypeError):
        options.optim_config["learning_rate"] = (
            1.0  # read-only view: a run's settings cannot drift
        )
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        SolverOptions(batch_size=0)


def test_a_solver_takes_options_as_keywords_or_as_one_object_not_both():
    import numpy as np
    import pytest

    from fcnet import FullyConnectedNet
    from fcnet.solver import Solver

    rng = np.random.default_rng(0)
    data = {
        "X_train": rng.normal(size=(20, 4)),
        "y_train": rng.integers(0, 3, 20),
        "X_val": rng.normal(size=(10, 4)),
        "y_val": rng.integers(0, 3, 10),
    }
    model = FullyConnectedNet([5], input_dim=4, num_classes=3, seed=0)
    solver = Solver(model, data, options=SolverOptions(num_epochs=1, batch_size=5, verbose=False))
    assert solver.options.batch_size == 5
    with pytest.raises(TypeError, match="not both"):
        Solver(model, data, options=SolverOptions(), num_epochs=1)
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['num_epoch'\]"):
        Solver(model, data, num_epoch=1)
