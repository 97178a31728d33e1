"""The bodies of `fcnet diagnose` (the findings of a run), `fcnet lr-find` (Smith's learning-rate range test) and
`fcnet report` (a report page): parse nothing (fcnet.cli does), call fcnet.diagnostics, print."""

from __future__ import annotations

import json
from pathlib import Path

from fcnet.commands import CliError, _config


def _run_files(run_dir: str) -> tuple[Path, dict, dict]:
    """A run directory's history.json and summary.json, or a one-line error naming what is missing."""
    from fcnet.runs import read_json_object

    out = Path(run_dir)
    if not out.is_dir():
        raise CliError(f"{out}: no such run directory")
    files = {}
    for name in ("history.json", "summary.json"):
        path = out / name
        if not path.is_file():
            raise CliError(f"{out} has no {name}: it is not a finished fcnet train run")
        try:
            files[name] = read_json_object(path, str(path))
        except ValueError as exc:
            raise CliError(str(exc)) from None
    return out, files["history.json"], files["summary.json"]


def findings_of(history: dict, summary: dict) -> list:
    from fcnet.diagnostics.findings import diagnose

    facts = summary.get("facts") if isinstance(summary.get("facts"), dict) else {}
    known = {k: facts[k] for k in ("num_classes", "input_scale", "reg") if k in facts}
    return diagnose({**history, "stop_reason": summary.get("stop_reason")}, **known)


def cmd_diagnose(args) -> None:
    out, history, summary = _run_files(args.run_dir)
    findings = findings_of(history, summary)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=1))
        return
    if not findings:
        measured = (
            ""
            if history.get("diagnostics")
            else " (trained with --no-diagnostics: the activation and "
            "gradient rules had nothing to look at)"
        )
        print(f"{out}: no finding; the run looks healthy{measured}")
        return
    print(f"{out}: {len(findings)} finding{'s' if len(findings) > 1 else ''}")
    for finding in findings:
        print(f"- {finding.line()}")


def cmd_lr_find(args) -> None:
    from fcnet.diagnostics.lr_finder import lr_find
    from fcnet.runs import build_model, check_trainable, load_data, num_classes_of

    config = _config(args)
    check_trainable(config)
    data = load_data(config)
    model = build_model(
        config, int(__import__("numpy").prod(data["X_train"].shape[1:])), num_classes_of(data)
    )
    result = lr_find(
        model,
        data,
        update_rule=config.update_rule,
        batch_size=config.batch_size,
        num_iterations=args.iterations,
        start_lr=args.start_lr,
        end_lr=args.end_lr,
        seed=config.seed,
    )
    out = Path(args.out or "lr_find.png")
    result.plot(out)
    print(
        f"Suggested learning rate for {config.update_rule}: {result.suggestion:.3g} (the steepest fall of the "
        f"smoothed loss; {len(result.learning_rates)} iterations, stopped {result.stop_reason})"
    )
    print(f"Wrote {out}")


def cmd_report(args) -> None:
    from fcnet.diagnostics.report import write_report

    try:
        path = write_report(Path(args.run_dir), Path(args.out) if args.out else None)
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    print(f"Wrote {path}")
