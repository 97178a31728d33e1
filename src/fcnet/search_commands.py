"""The bodies of `fcnet search` and `fcnet search-worker`: parse nothing (fcnet.cli does), call fcnet.search, print;
a database failure becomes one line that never shows the password."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from fcnet.commands import CliError, _config
from fcnet.study_storage import masked_url


@contextlib.contextmanager
def _database_errors(url: str | None):
    """A database failure during a search (the server stopped, the network went) as one line that says to run
    the same command again once the server is back; the password is never printed."""
    import threading

    from fcnet import study_storage

    errors = study_storage.database_errors()
    previous_hook = threading.excepthook

    def quiet_database_errors(
        hook_args,
    ) -> None:  # Optuna's heartbeat thread: the main thread reports it
        if not issubclass(hook_args.exc_type, errors):
            previous_hook(hook_args)

    threading.excepthook = quiet_database_errors
    try:
        yield
    except errors as exc:
        raise CliError(str(study_storage.storage_error(exc, url or "the local study"))) from None
    finally:
        threading.excepthook = previous_hook


def report(row: dict) -> None:
    """One line per finished trial of a search."""
    status = {
        "interrupted": "interrupted, not ranked",
        "pruned": f"pruned after epoch {row['epochs']}",
    }.get(row["stop_reason"], f"val {float(row['val_acc']):.4f}")
    print(
        f"  trial {int(row['trial']):>3}: {status}  lr {float(row['learning_rate']):.2e}  "
        f"reg {float(row['reg']):.2e}  hidden {row['hidden_dims']}",
        flush=True,
    )


def cmd_search_worker(args) -> None:
    from fcnet import study_engine
    from fcnet.search import study_configs, work_on

    out = Path(args.out or f"runs/worker-{time.strftime('%Y%m%d-%H%M%S')}")
    with _database_errors(args.storage):
        study = study_engine.open_study(args.storage, args.study, args.heartbeat)
        configs = study_configs(study)
    (out / "trials").mkdir(parents=True, exist_ok=True)
    print(
        f"worker on study {args.study!r} at {masked_url(args.storage)}: {len(configs)} trials; models -> "
        f"{out / 'trials'}",
        flush=True,
    )
    try:
        with _database_errors(args.storage):
            work_on(study, configs, out, report)
    except KeyboardInterrupt:
        print(
            "Interrupted: the trial in flight is queued again for another worker", file=sys.stderr
        )
        raise SystemExit(130)
    print(f"The study has no trial left: {study_engine.describe(study)}")


def cmd_search(args) -> None:
    from fcnet.runs import check_out_dir
    from fcnet.search import run_search

    config = _config(args)

    def range_or_values(
        given: list[float],
    ) -> tuple | list:  # LOW HIGH of a drawn search; a grid's values
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
    where = f"study {args.study!r} at {masked_url(args.storage)}, " if args.storage else ""
    print(
        f"{args.mode} search on {config.dataset}, {where}{args.jobs} local worker(s) -> {out} (run again to resume)"
    )

    check_out_dir(out)
    cores = os.cpu_count() or 1
    if args.jobs > 4 * cores:
        raise CliError(
            f"--jobs {args.jobs} on a machine with {cores} cores: at most {4 * cores} (each worker "
            "trains on one core; more only fight for them)"
        )
    if args.jobs > cores:
        print(
            f"warning: --jobs {args.jobs} is more than this machine's {cores} cores; the workers will share "
            "them and each trial will take longer",
            file=sys.stderr,
        )

    try:
        with _database_errors(args.storage):
            results = run_search(
                config,
                out,
                space,
                mode=args.mode,
                num_trials=args.trials,
                jobs=args.jobs,
                seed=args.search_seed,
                on_result=report,
                storage=args.storage,
                study_name=args.study,
                pruner=args.pruner,
                heartbeat=args.heartbeat,
            )
    except KeyboardInterrupt:
        where = (
            f"the finished trials are in {out / 'results.csv'}"
            if (out / "results.csv").is_file()
            else "no trial had finished"
        )
        print(f"Interrupted: {where}; run the same command again to resume", file=sys.stderr)
        raise SystemExit(130)
    print(f"\n{'rank':>4} {'trial':>5} {'val':>7} {'test':>7} {'lr':>9} {'reg':>9} hidden")
    for rank, r in enumerate(results[: args.show], 1):
        test = f"{float(r['test_acc']):.4f}" if r["test_acc"] not in ("", None) else "n/a"
        print(
            f"{rank:>4} {int(r['trial']):>5} {float(r['val_acc']):>7.4f} {test:>7} "
            f"{float(r['learning_rate']):>9.2e} {float(r['reg']):>9.2e} {r['hidden_dims']}"
        )
    written = [
        str(out / name)
        for name in ("results.csv", "search.png", "best_model.npz")
        if (out / name).exists()
    ]
    print(f"Wrote {', '.join(written)}")
