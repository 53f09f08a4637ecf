"""The import layers of DESIGN.md, enforced by walking every module's syntax tree.

Order, lowest first: errors → units → reference → models → forms → territorial / mrio /
consumption → trajectory → monitoring → certification → report → io → accessor / cli. A module
may import from its own layer group and from any lower layer, never from a higher one, and never
from a sibling at its own level (territorial, mrio and consumption do not import each other),
except where DESIGN.md says so (:data:`SIBLING_EDGES`).

What counts as an import: every ``import`` / ``from … import`` statement anywhere in the module —
at module level, inside functions and methods (a deferred import is still a dependency; it is
how cycles hide) and inside ``if TYPE_CHECKING:`` blocks (an annotation naming a higher layer's
type is a dependency on that layer's API) — plus ``importlib.import_module("klimacore.…")`` with
a literal name. Relative imports are resolved. ``from klimacore.pkg import name`` depends on
``klimacore.pkg.name`` when that is a module, else on ``klimacore.pkg``.

Private names: a module inside a subpackage whose name starts with ``_`` (``territorial/_engine``)
and a ``_name`` defined in another package's module are private to that package; importing them
from another package is flagged. The root's private helper modules (``klimacore/_files.py`` …)
are library-wide internals: any package may use them, subject to their layer.

Cycles: two modules may not import each other, directly or through others (counting every
runtime import, in functions too; type-only imports cannot form a runtime cycle and are left
out of this check, as are the facade's imports, which run on attribute access only).

Today's violations are listed in :data:`ALLOWED` / :data:`ALLOWED_CYCLES`, each with its reason;
the test fails on any new violation *and* on a listed one that no longer occurs, so the lists
only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "src" / "klimacore"

# --- the layers --------------------------------------------------------------------------------
# One entry per level, lowest first; a level holds sibling groups; a group is a list of module
# prefixes (a package covers its modules). Root-level private helpers get the layer of what they
# are for and what they import:
#   errors  : _version (no imports), _import_hook (no klimacore imports: registers the accessor
#             by name when xarray is imported; called from the facade)
#   helpers : _deprecation, _lazy, _files, _progress, _data — import only errors; used by every
#             layer above (file decoding, dask blocks, progress, bundled-file access); the
#             bundled data package ``data``
#   models  : _plan_parts, _plan_extras, _plan_rules, _model_base (the plan's parts, its CCTF data,
#             its cross-field rules, the pydantic base that raises klimacore errors),
#             _repr (HTML reprs of plans and check tables: models._repr_html_ calls it)
#   units   : _unit_parse (the registry and unit-string parsing behind units; imports errors)
#   examples: klimacore.examples, the bundled example data built through the engines (a plan with
#             its CCTF data needs certification), used by report's demo texts: between
#             certification and report (DESIGN.md does not place it; this is its only fit)
#   io      : _activity_io, _excel, _iamc, _primap2, _eco2, _drivers (readers/writers
#             re-exported by klimacore.io)
#   cli     : cli and its command modules _cli_common, _cli_certify, _monitor_cli, _report_cli,
#             _footprint_cli; testing sits at the top beside them (assert helpers for users)
#   facade  : klimacore/__init__.py, the front door, above everything (imports lazily by name)
LAYERS: list[dict[str, list[str]]] = [
    {"errors": ["errors", "_version", "_import_hook"]},
    {"helpers": ["_deprecation", "_lazy", "_files", "_progress", "_data", "data"]},
    {"units": ["units", "_unit_parse"]},
    {"reference": ["reference"]},
    {"models": ["models", "_plan_parts", "_plan_extras", "_plan_rules", "_model_base", "_repr"]},
    {"forms": ["forms"]},
    {"territorial": ["territorial"], "mrio": ["mrio"], "consumption": ["consumption"]},
    {"trajectory": ["trajectory"]},
    {"monitoring": ["monitoring"]},
    {"certification": ["certification"]},
    {"examples": ["examples"]},
    {"report": ["report"]},
    {"io": ["io", "_activity_io", "_excel", "_iamc", "_primap2", "_eco2", "_drivers"]},
    {"accessor": ["accessor"],
     "cli": ["cli", "_cli_common", "_cli_certify", "_monitor_cli", "_report_cli",
             "_footprint_cli"],
     "testing": ["testing"]},
    {"facade": [""]},
]

SIBLING_EDGES = {
    ("consumption", "mrio"),  # DESIGN.md: "consumption/ … intensities from an MRIO"
}
"""Imports between siblings of one level that DESIGN.md allows (importer group, imported group)."""

ALLOWED: dict[tuple[str, str, str], str] = {
    # (kind, importer, imported[:name]) -> why it is still there
    ("layer", "klimacore._repr", "klimacore.trajectory"):
        "type-only (TYPE_CHECKING): trajectory_check_html annotates TrajectoryCheck; goes when "
        "the HTML reprs move to report (i9e)",
    ("private", "klimacore.certification._planrules", "klimacore.trajectory._references:Milestone"):
        "certification's fast engine reads the rules of the trajectory package itself (one "
        "implementation: issue 13's two engines must agree); these should become public "
        "trajectory names",
    ("private", "klimacore.certification._planrules", "klimacore.trajectory._manko:_action_coverage"):
        "as above",
    ("private", "klimacore.certification._planrules", "klimacore.trajectory._manko:_manko"):
        "as above",
    ("private", "klimacore.certification._planrules",
     "klimacore.trajectory._plan_rules:_target_rules"):
        "as above",
    ("private", "klimacore.certification._planrules",
     "klimacore.trajectory._rulesets:_ambition_rows"):
        "certification reads trajectory's plan-rule rows through a private module (i9c)",
    ("private", "klimacore.certification._planrules",
     "klimacore.trajectory._rulesets:_plan_data_rows"):
        "as above",
}
"""Today's layer and private-name violations, each with its reason. Remove an entry with the
import; the test fails on an entry that no longer occurs."""

ALLOWED_CYCLES: dict[frozenset[str], str] = {
    frozenset({"klimacore.trajectory._checks", "klimacore.trajectory._latest",
               "klimacore.trajectory._latest_frames", "klimacore.trajectory._latest_inputs",
               "klimacore.trajectory._result"}):
        "the latest-year verdicts, their frames and inputs, the checks and the result object "
        "import each other inside functions",
    frozenset({"klimacore.mrio._aggregate", "klimacore.mrio._convert", "klimacore.mrio._system"}):
        "_system imports its helpers inside methods, they import _system at module level (i14)",
}
"""Today's import cycles (strongly connected modules), each with its reason."""


# --- the walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    name: str | None  # the imported name when it is not a module
    line: int
    type_only: bool
    alias: bool = False  # marked "# deprecated alias": see ALIAS_MARK


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else (
                test.attr if isinstance(test, ast.Attribute) else None)
            if name == "TYPE_CHECKING":
                for sub in node.body:
                    lines.update(n.lineno for n in ast.walk(sub) if hasattr(n, "lineno"))
    return lines


ALIAS_MARK = "# deprecated alias"
"""Marks the import of a deprecated alias (a module ``__getattr__`` that warns and forwards an
old engine name to its new home in ``report`` or ``examples``, until 0.3). Such imports run only
when the old name is used; they are left out of the layer and cycle checks and checked by
:func:`test_deprecated_alias_imports_warn_and_go_in_0_3` instead."""


def _imports(module: str) -> Iterator[Import]:
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    source_lines = text.splitlines()
    tree = ast.parse(text, str(path))
    type_only = _type_checking_lines(tree)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        found: list[tuple[str, str | None]] = []
        if isinstance(node, ast.Import):
            found = [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[:len(package) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((full, None) if full in MODULES else (base, alias.name))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found = [(node.args[0].value, None)]
        for target, name in found:
            if target == "klimacore" or target.startswith("klimacore."):
                while target not in MODULES:  # `import klimacore.a.b` of an attribute
                    target = target.rpartition(".")[0]
                if target != module:
                    alias = ALIAS_MARK in source_lines[node.lineno - 1]
                    yield Import(module, target, name, node.lineno, node.lineno in type_only,
                                 alias)


IMPORTS = [imp for module in MODULES for imp in _imports(module)]


def _where(module: str) -> tuple[int, str]:
    """(level, group) of a module: the longest matching prefix wins."""
    rel = module.removeprefix("klimacore").removeprefix(".")
    best: tuple[int, int, str] | None = None
    for level, groups in enumerate(LAYERS):
        for group, prefixes in groups.items():
            for prefix in prefixes:
                matches = rel == prefix or (prefix and rel.startswith(prefix + "."))
                if matches and (best is None or len(prefix) > best[1]):
                    best = (level, len(prefix), group)
    assert best is not None, f"{module} has no layer: add it to LAYERS"
    return best[0], best[2]


def _package(module: str) -> str:
    parts = module.split(".")
    sub = ".".join(parts[:2])
    return sub if len(parts) > 1 and MODULES.get(sub, Path()).name == "__init__.py" else "klimacore"


def layer_violations() -> dict[tuple[str, str, str], str]:
    out = {}
    for imp in IMPORTS:
        if imp.alias:
            continue
        (lv_a, g_a), (lv_b, g_b) = _where(imp.importer), _where(imp.target)
        if g_a == g_b:
            continue
        if lv_b > lv_a or (lv_b == lv_a and (g_a, g_b) not in SIBLING_EDGES):
            kind = "upward" if lv_b > lv_a else "sibling"
            out[("layer", imp.importer, imp.target)] = (
                f"line {imp.line}: {kind} import of {imp.target} ({g_b}) from {g_a}"
                + (" (TYPE_CHECKING)" if imp.type_only else ""))
    return out


def private_violations() -> dict[tuple[str, str, str], str]:
    out = {}
    for imp in IMPORTS:
        own, theirs = _package(imp.importer), _package(imp.target)
        if own == theirs:
            continue
        inner = imp.target.split(".")[2:] if theirs != "klimacore" else []
        # forms is the layer of canonical forms built for the engines: its modules' public names
        # are the engines' to use (DESIGN.md: engines accept only the forms); its _names are not
        private_module = theirs != "klimacore.forms" and any(p.startswith("_") for p in inner)
        private_name = bool(imp.name and imp.name.startswith("_")
                            and not imp.name.startswith("__"))
        if private_module or private_name:
            label = f"{imp.target}:{imp.name}" if imp.name else imp.target
            out[("private", imp.importer, label)] = f"line {imp.line}: private to {theirs}"
    return out


def cycles() -> list[frozenset[str]]:
    """Strongly connected sets of modules (Tarjan), over runtime imports."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in IMPORTS:  # the facade's own imports are lazy (module __getattr__): not edges
        if not imp.type_only and not imp.alias and imp.importer != "klimacore":
            graph[imp.importer].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.add(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(frozenset(scc))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# --- the tests ----------------------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _where(module)


def test_the_walk_sees_deferred_and_type_only_imports() -> None:
    deferred = [i for i in IMPORTS if i.importer == "klimacore.models"
                and i.target == "klimacore._repr"]
    assert deferred and not deferred[0].type_only  # models._repr_html_ imports inside a method
    assert any(i.type_only for i in IMPORTS if i.importer == "klimacore._plan_extras"
               and i.target == "klimacore.models")


@pytest.mark.parametrize("find", [layer_violations, private_violations])
def test_no_new_violation_and_none_stale(find: object) -> None:
    assert callable(find)
    found: dict[tuple[str, str, str], str] = find()
    kind = "layer" if find is layer_violations else "private"
    allowed = {k for k in ALLOWED if k[0] == kind}
    new = {k: v for k, v in found.items() if k not in allowed}
    stale = sorted(allowed - set(found))
    assert not new, f"new {kind} violations (fix the import, DESIGN.md's layers): {new}"
    assert not stale, f"listed {kind} violations that no longer occur (remove them): {stale}"


def test_deprecated_alias_imports_warn_and_go_in_0_3() -> None:
    """Every marked alias import sits in a module that warns, and the aliases go in 0.3."""
    from klimacore import __version__

    aliases = [imp for imp in IMPORTS if imp.alias]
    assert aliases, "the walk sees the marked alias imports"
    for imp in aliases:
        assert "warn_deprecated" in MODULES[imp.importer].read_text(encoding="utf-8"), imp
    major, minor = (int(x) for x in __version__.split(".")[:2])
    assert (major, minor) < (0, 3), "0.3 removes the deprecated aliases: delete them"


def test_no_new_import_cycle_and_none_stale() -> None:
    found = set(cycles())
    new = [sorted(c) for c in found - set(ALLOWED_CYCLES)]
    stale = [sorted(c) for c in set(ALLOWED_CYCLES) - found]
    assert not new, f"new import cycles (a deferred import hides one): {new}"
    assert not stale, f"listed cycles that no longer occur or changed (update them): {stale}"


def test_the_checks_can_fail() -> None:
    """The checks see a violation planted in a module's import list."""
    planted = Import("klimacore.units", "klimacore.report", None, 1, False)
    IMPORTS.append(planted)
    try:
        assert ("layer", "klimacore.units", "klimacore.report") in layer_violations()
    finally:
        IMPORTS.remove(planted)
    planted = Import("klimacore.io", "klimacore.mrio._system", "IOSystem", 1, False)
    IMPORTS.append(planted)
    try:
        assert ("private", "klimacore.io", "klimacore.mrio._system:IOSystem") in \
            private_violations()
    finally:
        IMPORTS.remove(planted)
    back = Import("klimacore.errors", "klimacore.units", None, 1, False)
    IMPORTS.append(back)
    try:
        assert any({"klimacore.errors", "klimacore.units"} <= c for c in cycles())
    finally:
        IMPORTS.remove(back)
