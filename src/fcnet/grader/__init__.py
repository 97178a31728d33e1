"""fcnet's checker and grader for course assignments: a student's functions run in a sandbox on seeded inputs,
judged against fcnet's references (fcnet.courses), with hints from a catalogue of known mistakes.

    from fcnet.grader import check_submission
    report = check_submission("assignment2", course="cs231n")

`fcnet check` (students) and `fcnet grade` (teachers, Gradescope) are its commands.
"""

from fcnet.grader.checker import COURSES, SubmissionError, check_submission

__all__ = ["check_submission", "COURSES", "SubmissionError"]
