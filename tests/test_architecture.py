"""The package keeps the shape DESIGN.md describes: short signatures and private names at home.

The one-way layer rule (outputs > planning > radio > inputs > core) is import-linter's
contract in ``pyproject.toml`` (``make lint``); these tests check what it cannot.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coverage"
TESTS = Path(__file__).resolve().parent

#: The ITM and numba kernel modules pass many scalars to compiled code, by design.
WIDE_SIGNATURES_ALLOWED = ("radio/itm/", "radio/_kernels/")
MAX_PARAMETERS = 8
MAX_MODULE_LINES = 600


def _modules(root: Path) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module under ``root``; packages by their ``__init__``."""
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def _parameter_count(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return len(names) + (args.vararg is not None) + (args.kwarg is not None)


def test_no_function_takes_more_than_eight_parameters() -> None:
    wide = []
    for name, path in _modules(PACKAGE):
        if any(part in path.as_posix() for part in WIDE_SIGNATURES_ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = _parameter_count(node)
                if n > MAX_PARAMETERS:
                    wide.append(f"{name}.{node.name} (line {node.lineno}): {n} parameters")
    assert not wide, "group these settings into a frozen value object:\n" + "\n".join(wide)


def _imported(tree: ast.Module, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every dotted name a module imports (``a.b.c`` for ``from a.b import c``), with its line."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _module_attributes(tree: ast.Module, imported: dict[str, str]) -> Iterator[tuple[str, int]]:
    """``module._x`` read through a name bound to an imported module, as ``pkg.module._x``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
        ):
            yield f"{imported[node.value.id]}.{node.attr}", node.lineno


def _bound_modules(tree: ast.Module) -> dict[str, str]:
    """Local names bound to modules of this package by ``import`` and ``from ... import``."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound.update({a.asname: a.name for a in node.names if a.asname})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                dotted = f"{node.module}.{a.name}"
                path = PACKAGE.parent.joinpath(*dotted.split("."))
                if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
                    bound[a.asname or a.name] = dotted
    return bound


def _private_owner(dotted: str) -> str | None:
    """The package inside which the first private part of ``dotted`` may be used, or None.

    A private name of a module (``pkg.mod._x``) belongs to the module's package (``pkg``); a
    private module or package (``pkg._kernels``) and a private name of a package's
    ``__init__`` (``pkg._x``) belong to that package (``pkg``).
    """
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            holder = PACKAGE.parent.joinpath(*parts[:i])
            return ".".join(parts[:i] if holder.is_dir() else parts[: i - 1])
    return None


def _private_imports(root: Path, *, names_only: bool = False) -> list[str]:
    """Imports of private parts from outside their package (``names_only``: of private names)."""
    found = []
    for module, path in _modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = [
            *_imported(tree, module, path.name == "__init__.py"),
            *_module_attributes(tree, _bound_modules(tree)),
        ]
        for dotted, line in used:
            if not dotted.startswith("coverage."):
                continue
            owner = _private_owner(dotted.rpartition(".")[2] if names_only else dotted)
            if names_only and owner is not None:
                owner = "(tests)"
            if owner is not None and not (module == owner or module.startswith(owner + ".")):
                found.append(f"{module} (line {line}) imports {dotted}")
    return found


def test_private_names_stay_inside_their_subpackage() -> None:
    """``coverage.radio.itm.area`` may use ``coverage.radio.itm.profile._x``; nothing else may."""
    found = _private_imports(PACKAGE)
    assert not found, "make these public or move them:\n" + "\n".join(found)


def test_tests_use_public_names() -> None:
    """Tests may test the kernels of a private package directly, never an underscore name."""
    found = _private_imports(TESTS, names_only=True)
    assert not found, "test through the public API:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("dotted", "owner"),
    [
        ("coverage.radio.propagation._x", "coverage.radio"),
        ("coverage.radio.itm._x", "coverage.radio.itm"),
        ("coverage.radio._kernels.prediction.f", "coverage.radio"),
        ("coverage.radio.prediction.grid_coords", None),
    ],
)
def test_private_owner(dotted: str, owner: str | None) -> None:
    assert _private_owner(dotted) == owner


def test_modules_are_short() -> None:
    long = [
        f"{name}: {n} lines"
        for name, path in _modules(PACKAGE)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, "split these by domain word:\n" + "\n".join(long)
