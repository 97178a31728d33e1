"""Looking inside training: measurements while a Solver trains (monitor), findings that say why a network does or
does not learn (findings), Smith's learning-rate range test (lr_finder), and a report page (report).

    solver = Solver(model, data, diagnostics=True, ...).train()
    for finding in solver.diagnose():
        print(finding.line())
"""

from fcnet.diagnostics.findings import KINDS, Finding, diagnose

__all__ = ["KINDS", "Finding", "diagnose"]
