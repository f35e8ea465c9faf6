"""The package's layout: one subpackage per stage, imports only from earlier stages."""

import ast

import pytest

from analysis.common.paths import ROOT

STAGES = ["common", "sheets", "derivations", "results", "ledger", "provenance", "report"]
ENTRY_POINTS = {"derive", "publish", "verify", "trace"}
PACKAGE = ROOT / "analysis"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _stage(path):
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if len(parts) > 1 else None


def _imports(path):
    """Every analysis module a file imports, lazily or not ("analysis.sheets.cohort")."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            yield from ([f"{node.module}.{a.name}" for a in node.names]
                        if node.module == "analysis" else [node.module])
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("analysis"))


def test_top_level_holds_only_the_commands():
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top == ENTRY_POINTS
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(STAGES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_from_later_stages_to_earlier_ones(path):
    stage = _stage(path)
    if stage is None:
        return  # the commands may use every stage
    for name in _imports(path):
        target = name.split(".")[1]
        assert target in STAGES, f"{path.name} imports the command module {name}"
        assert STAGES.index(target) <= STAGES.index(stage), (
            f"{path.relative_to(ROOT)} ({stage}) imports {name} from a later stage")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small_and_say_what_they_hold(path):
    text = path.read_text()
    assert len(text.splitlines()) <= 450
    assert ast.get_docstring(ast.parse(text)), f"{path.relative_to(ROOT)} has no docstring"


def test_the_figures_are_found_by_file_name():
    names = {p.stem for p in (PACKAGE / "report" / "figures").glob("figure*.py")}
    assert names == {"figure1", "figure2", "figure3", "figure4"}
