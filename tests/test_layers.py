"""The layers stay apart: Qt lives in ui/ only, and ui/ reaches the model through the engine."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "skingan_desktop"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved against the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(here[: len(here) - node.level + 1]) if node.level else []
            found.add(".".join(base + ([node.module] if node.module else [])))
    return found


def test_qt_is_imported_in_ui_only() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]
    offenders = {str(p.relative_to(PACKAGE)): sorted(m for m in _imports(p) if m.startswith(("PySide6", "qtawesome")))
                 for p in outside}
    assert not {k: v for k, v in offenders.items() if v}


def test_the_ui_reaches_the_model_through_the_engine() -> None:
    offenders = {str(p.relative_to(PACKAGE)): sorted(m for m in _imports(p)
                                                     if m.startswith(("skingan_desktop.model", "torch")))
                 for p in (PACKAGE / "ui").glob("*.py")}
    assert not {k: v for k, v in offenders.items() if v}


def test_no_ui_module_is_over_450_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (PACKAGE / "ui").glob("*.py")}
    assert max(sizes.values()) <= 450, sizes
