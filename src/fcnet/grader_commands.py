"""The bodies of `fcnet check` (a student checks their own course files) and `fcnet grade` (a teacher grades many
submissions, or Gradescope runs it): parse nothing (fcnet.cli does), call fcnet.grader, print."""

from __future__ import annotations

import json
import sys

from fcnet.commands import CliError


def cmd_check(args) -> None:
    from fcnet.grader import COURSES, SubmissionError, check_submission
    from fcnet.grader.report import table

    if args.course is not None and args.course not in COURSES:
        raise CliError(f"--course must be one of {list(COURSES)}, got {args.course!r}")
    try:
        report = check_submission(args.path, args.course, jobs=args.jobs, functions=args.function)
    except (SubmissionError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(table(report, verbose=args.verbose))
    if report["score"] < report["max_score"]:
        sys.exit(1)


GRADESCOPE_ROOT = "/autograder"


def cmd_grade(args) -> None:
    import time
    from pathlib import Path

    from fcnet.grader import COURSES
    from fcnet.grader.grade import gradescope_results, grade_many, grade_one, make_autograder
    from fcnet.grader.rubric import default_rubric, read_rubric, to_toml

    if args.course not in COURSES:
        raise CliError(f"--course must be one of {list(COURSES)}, got {args.course!r}")
    specs = COURSES[args.course][1]
    try:
        rubric = read_rubric(args.rubric, specs) if args.rubric else default_rubric(specs)
    except (ValueError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from None
    if args.print_rubric:
        print(to_toml(rubric, args.course))
        return
    submissions = list(args.submissions)
    if submissions[:1] == ["make-autograder"]:
        if not args.out or not str(args.out).endswith(".zip"):
            raise CliError("make-autograder needs --out FILE.zip")
        path = make_autograder(args.course, Path(args.out), rubric)
        print(f"Wrote {path}: upload it as the assignment's autograder on Gradescope")
        return
    if args.gradescope:
        root = Path(args.gradescope_root)
        submission, results_dir = root / "submission", root / "results"
        if not submission.is_dir():
            raise CliError(
                f"{submission} does not exist: --gradescope runs inside Gradescope's container "
                "(or give --gradescope-root)"
            )
        start = time.monotonic()
        result = grade_one(submission, args.course, rubric, jobs=args.jobs)
        results_dir.mkdir(parents=True, exist_ok=True)
        payload = gradescope_results(result, rubric, time.monotonic() - start)
        (results_dir / "results.json").write_text(json.dumps(payload, indent=1))
        print(
            f"Wrote {results_dir / 'results.json'}: {payload['score']} of {rubric.max_score} points"
        )
        return
    if not submissions:
        raise CliError(
            "give the submissions to grade (folders, .zip or .py files), --print-rubric, "
            "--gradescope or make-autograder"
        )
    missing = [s for s in submissions if not Path(s).exists()]
    if missing:
        raise CliError(f"{missing[0]}: no such submission")
    out = Path(args.out or f"grades-{time.strftime('%Y%m%d-%H%M%S')}")

    def report(result):
        flag = f"  (imports {', '.join(result['flagged'])})" if result.get("flagged") else ""
        note = f"  error: {result['error']}" if result.get("error") else ""
        print(
            f"{result['submission']}: {result['total']:g} of {result['possible']:g}{flag}{note}",
            flush=True,
        )

    grade_many(
        [Path(s) for s in submissions], args.course, rubric, out, jobs=args.jobs, on_result=report
    )
    print(f"Wrote {out / 'gradebook.csv'} and one JSON per submission in {out}")
