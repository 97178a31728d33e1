"""A student's notebook as a submission: an exported script (``jupyter nbconvert --to script``) or the .ipynb
itself. What it defines (its top-level imports, functions, classes and constants) is kept, what it runs (data
loading, training loops, plots, prints, IPython's ``%`` and ``!`` lines) is dropped, and the definitions are
written as each of the course's files, so that the checker finds every function where the course keeps it.

    root = notebook_submission(Path("assignment2.ipynb"), ["cs231n.layers", "cs231n.optim"], tmp)
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20 * 2**20
NOTEBOOK_SUFFIXES = (".py", ".ipynb")


class NotebookError(ValueError):
    """A notebook the grader cannot read (too large, not JSON, no code that parses)."""


def notebook_code(path: Path) -> str:
    """The notebook's code: an exported script as it is, or the code cells of an .ipynb one after the other."""
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path} has {size:,} bytes, more than {MAX_NOTEBOOK_BYTES:,}")
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return text
    try:
        cells = json.loads(text)["cells"]
        return "\n\n".join(
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells
            if cell.get("cell_type") == "code"
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise NotebookError(f"{path} is not a Jupyter notebook ({exc})") from None


def _without_magics(code: str) -> str:
    """IPython's line magics and shell escapes (``%matplotlib inline``, ``!pip ...``) as comments."""
    return "\n".join(
        "# " + line if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines()
    )


def _is_definition(node: ast.stmt) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
        return True
    # NAME = a literal (a constant the functions read), never a call that would run work
    return (
        isinstance(node, ast.Assign)
        and all(isinstance(t, ast.Name) for t in node.targets)
        and isinstance(node.value, ast.Constant)
    )


def definitions(code: str, name: str = "notebook") -> str:
    """The source of `code`'s top-level definitions, in order; an import is tried (one the sandbox cannot satisfy,
    such as the course's data loader or matplotlib, is skipped rather than failing every function)."""
    code = _without_magics(code)
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise NotebookError(
            f"{name} does not parse as Python: {exc.msg} (line {exc.lineno})"
        ) from None
    lines = code.splitlines()
    future, kept = [], []
    for node in tree.body:
        if not _is_definition(node):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        source = "\n".join(lines[start - 1 : node.end_lineno])
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            future.append(source)  # must open the module, as it is
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            source = (
                "try:\n    " + source.replace("\n", "\n    ") + "\nexcept ImportError:\n    pass"
            )
        kept.append(source)
    if not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in tree.body):
        raise NotebookError(f"{name} defines no function or class")
    return "\n\n\n".join(future + kept) + "\n"


def defined_names(code: str, name: str = "notebook") -> set[str]:
    """The names of the functions and classes `code` defines at its top level (magics ignored); NotebookError
    when it does not parse."""
    try:
        tree = ast.parse(_without_magics(code))
    except SyntaxError as exc:
        raise NotebookError(
            f"{name} does not parse as Python: {exc.msg} (line {exc.lineno})"
        ) from None
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def notebook_submission(path: Path, modules: list[str], into: Path) -> Path:
    """A submission folder under `into` in which each of `modules` (dotted, e.g. cs231n.layers) holds the
    notebook's definitions; returns the folder."""
    source = definitions(notebook_code(path), str(path))
    root = into / "notebook"
    for module in modules:
        target = root / (module.replace(".", "/") + ".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
        for package in list(target.relative_to(root).parents)[:-1]:
            (root / package / "__init__.py").touch()
    return root
