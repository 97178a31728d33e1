"""Every Solver option a run can use is a TrainConfig field (config.json), and every TrainConfig field can be set
on the command line (issue: the house, one declaration per option; design review 2026-12-01)."""

import dataclasses
import inspect

from fcnet.commands import _OPTION_TO_FIELD
from fcnet.runs import TrainConfig
from fcnet.solver import Solver

# Solver arguments that are not settings of a run: the run supplies them itself, or they are code
RUN_SUPPLIED = {"model", "data", "optim_config", "checkpoint_name", "keep_checkpoints", "print_every", "verbose",
                "epoch_callback", "progress", "resume", "num_epochs", "lr_schedule_options"}
CONFIG_ONLY = {"lr_schedule_options"}  # given as --schedule-options (JSON)


def test_every_solver_option_is_a_run_setting():
    solver_options = set(inspect.signature(Solver.__init__).parameters) - {"self"} - RUN_SUPPLIED
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert solver_options <= fields, sorted(solver_options - fields)


def test_every_run_setting_has_a_command_line_option():
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert fields - CONFIG_ONLY <= set(_OPTION_TO_FIELD.values()) | {"lr_schedule_options"}, sorted(
        fields - set(_OPTION_TO_FIELD.values()))


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
