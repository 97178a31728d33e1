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
