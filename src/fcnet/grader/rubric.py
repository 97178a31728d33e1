"""A rubric: points per function (partial credit by the share of its checks passed, or all or nothing),
visibility (Gradescope's visible / hidden / after_due_date / after_published), and what importing a reference
(fcnet, torch) costs. Written and read as TOML; each course has a default that `fcnet grade --print-rubric` prints.

    [rubric]
    reference_import = "zero"     # "zero": the functions of a file that imports a reference get 0; "flag": noted only

    [functions.affine_forward]
    points = 2.0
    partial = true                # points x share of checks passed; false: all or nothing
    visibility = "visible"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
IMPORT_POLICIES = ("zero", "flag")
DEFAULT_POINTS = {
    "forward": 1.0,
    "backward": 2.0,
    "loss": 2.0,
    "rule": 1.0,
    "dropout_forward": 1.0,
    "dropout_backward": 1.0,
    "network": 3.0,
    "two_layer_net": 2.0,
    "function": 1.0,
    "layer_object": 2.0,
    "optimizer_object": 1.0,
    "book_net": 3.0,
    "chain": 1.0,
}


@dataclass(frozen=True)
class Item:
    points: float
    partial: bool = True
    visibility: str = "visible"


@dataclass(frozen=True)
class Rubric:
    items: dict[str, Item]
    reference_import: str = "zero"

    def score(self, name: str, verdict: dict[str, Any], flagged: bool) -> float:
        """The points `verdict` (a function's entry in a check report) earns."""
        item = self.items[name]
        if flagged and self.reference_import == "zero":
            return 0.0
        checks = verdict["checks"]
        if verdict["status"] == "passed":
            return item.points
        if not item.partial or verdict["status"] in ("missing", "error") or not checks:
            return 0.0
        return round(item.points * sum(c["status"] == "passed" for c in checks) / len(checks), 4)

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.items.values())


def default_rubric(specs) -> Rubric:
    return Rubric({s.name: Item(DEFAULT_POINTS.get(s.kind, 1.0)) for s in specs})


def to_toml(rubric: Rubric, course: str) -> str:
    lines = [
        f"# fcnet grade rubric for {course}: edit the points, then fcnet grade --rubric THIS_FILE",
        "",
        "[rubric]",
        f'reference_import = "{rubric.reference_import}"  # "zero" or "flag"',
        "",
    ]
    for name, item in rubric.items.items():
        lines += [
            f'[functions."{name}"]' if "." in name else f"[functions.{name}]",
            f"points = {item.points}",
            f"partial = {str(item.partial).lower()}",
            f'visibility = "{item.visibility}"',
            "",
        ]
    return "\n".join(lines)


def read_rubric(path: str | Path, specs) -> Rubric:
    """A rubric from TOML, every key and value checked against the course's functions; errors name the file."""
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such rubric file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not TOML: {exc}") from None
    known = {s.name for s in specs}
    unknown_sections = sorted(set(data) - {"rubric", "functions"})
    if unknown_sections:
        raise ValueError(
            f"{path}: unknown section(s) {unknown_sections}; a rubric has [rubric] and [functions.*]"
        )
    policy = data.get("rubric", {}).get("reference_import", "zero")
    if policy not in IMPORT_POLICIES:
        raise ValueError(
            f"{path}: reference_import must be one of {list(IMPORT_POLICIES)}, got {policy!r}"
        )
    functions = data.get("functions", {})
    unknown = sorted(set(functions) - known)
    if unknown:
        raise ValueError(
            f"{path}: unknown function(s) {unknown}; this course's are {sorted(known)}"
        )
    items = {}
    for name in [s.name for s in specs]:
        entry = functions.get(name)
        if entry is None:
            continue  # not graded
        extra = sorted(set(entry) - {"points", "partial", "visibility"})
        if extra:
            raise ValueError(f"{path}: [functions.{name}] has unknown key(s) {extra}")
        points = entry.get("points", 1.0)
        if (
            isinstance(points, bool)
            or not isinstance(points, (int, float))
            or not 0 <= points <= 1e6
        ):
            raise ValueError(
                f"{path}: [functions.{name}] points must be a number in [0, 1e6], got {points!r}"
            )
        partial = entry.get("partial", True)
        if not isinstance(partial, bool):
            raise ValueError(
                f"{path}: [functions.{name}] partial must be true or false, got {partial!r}"
            )
        visibility = entry.get("visibility", "visible")
        if visibility not in VISIBILITIES:
            raise ValueError(
                f"{path}: [functions.{name}] visibility must be one of {list(VISIBILITIES)}, got "
                f"{visibility!r}"
            )
        items[name] = Item(float(points), partial, visibility)
    if not items:
        raise ValueError(f"{path} grades no function: add [functions.NAME] sections")
    return Rubric(items, policy)
