"""TOML tables into validated, frozen dataclasses: the loader behind scenario and area files.

:func:`build` makes a dataclass from a TOML table: it rejects unknown keys (naming the nearest
known key) and removed keys (with the fix a class gives in its ``REMOVED_KEYS``), converts and checks each value against the field's type hint (nested dataclasses,
tuples, dicts, optionals, numbers, integers, booleans, strings) and collects every problem
instead of stopping at the first; a dataclass's own range checks (``__post_init__`` calling
:func:`check`) are collected the same way. :func:`raise_problems` reports them all in one
:class:`~coverage.errors.ScenarioError`.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coverage.errors import ScenarioError

__all__ = ["ProblemError", "build", "check", "raise_problems", "read_toml"]


class ProblemError(ScenarioError):
    """One validation problem: collected and reported together when loading a file, raised
    as it is (a :class:`ScenarioError`) when a dataclass is built or replaced in code."""


def check(ok: bool, msg: str) -> None:
    """Raise :class:`ProblemError` with ``msg`` unless ``ok`` (a dataclass's range check)."""
    if not ok:
        raise ProblemError(msg)


def build(cls: type, raw: Any, where: str, problems: list[str]) -> Any:
    """Build dataclass ``cls`` from a TOML table, collecting problems instead of stopping."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a table, got {type(raw).__name__}")
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name != "path"}
    kwargs: dict[str, Any] = {}
    removed: dict[str, str] = getattr(cls, "REMOVED_KEYS", {})
    for key, value in raw.items():
        if key in removed:
            problems.append(f"{where}: key {key!r} is no longer used: {removed[key]}")
            continue
        if key not in fields:
            near = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(fields)}")
            continue
        converted = _convert(hints[key], value, f"{where}.{key}", problems)
        if converted is not _INVALID:
            kwargs[key] = converted
    for name, f in fields.items():
        if (
            name not in kwargs
            and f.default is dataclasses.MISSING
            and (f.default_factory is dataclasses.MISSING)
        ):
            if name in raw:
                continue  # already reported as invalid
            problems.append(f"{where}: missing required key {name!r}")
    try:
        return cls(**kwargs)
    except ProblemError as err:
        problems.append(f"{where}: {err}")
    except TypeError:
        pass  # a missing key, reported above
    return None


_INVALID = object()


def _convert(hint: Any, value: Any, where: str, problems: list[str]) -> Any:
    """``value`` as type ``hint`` (a dataclass, tuple, dict, scalar or optional of one).

    A problem is appended to ``problems`` and :data:`_INVALID` returned when it does not fit.
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, where, problems)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        built = build(hint, value, where, problems)
        return _INVALID if built is None else built
    if origin is tuple:
        return _convert_tuple(args[0] if args else Any, value, where, problems)
    if origin is dict:
        return _convert_dict(args[1], value, where, problems)
    scalar = _SCALARS.get(hint)
    if scalar is None:
        return value
    fits, expected = scalar
    if not fits(value):
        problems.append(f"{where}: expected {expected}, got {value!r}")
        return _INVALID
    return float(value) if hint is float else value


def _convert_tuple(item: Any, value: Any, where: str, problems: list[str]) -> Any:
    """A TOML list (or a lone string, for a tuple of strings) as a tuple of ``item``."""
    if isinstance(value, str) and item is str:
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list, got {value!r}")
        return _INVALID
    items = [_convert(item, v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    return _INVALID if any(i is _INVALID for i in items) else tuple(items)


def _convert_dict(item: Any, value: Any, where: str, problems: list[str]) -> Any:
    """A TOML table as a dict of ``item`` values."""
    if not isinstance(value, dict):
        problems.append(f"{where}: expected a table, got {value!r}")
        return _INVALID
    out = {k: _convert(item, v, f"{where}.{k}", problems) for k, v in value.items()}
    return _INVALID if any(v is _INVALID for v in out.values()) else out


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _is_integer(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int)


#: Scalar types of the dataclass fields: the test a TOML value must pass, and what it expects.
_SCALARS: dict[type, tuple[Callable[[Any], bool], str]] = {
    float: (_is_number, "a number"),
    int: (_is_integer, "an integer"),
    bool: (lambda v: isinstance(v, bool), "true or false"),
    str: (lambda v: isinstance(v, str), "a string"),
}


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The TOML file at ``path`` as a dict; a missing or malformed file is a ScenarioError."""
    if not path.is_file():
        msg = f"{what} {path}: file not found."
        raise ScenarioError(msg)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        msg = f"{what} {path}: not valid TOML ({err}). Check quoting and brackets on that line."
        raise ScenarioError(msg) from err


def raise_problems(path: Path, what: str, problems: list[str]) -> None:
    """Raise one ScenarioError that lists every problem found in the file, if any."""
    if problems:
        lines = "\n  - ".join(problems)
        msg = f"{what} {path} has {len(problems)} problem(s):\n  - {lines}"
        raise ScenarioError(msg)
