"""TOML tables into validated, frozen dataclasses: the loader behind scenario and area files.

:func:`build` makes a dataclass from a TOML table: it rejects unknown keys (naming the nearest
known key) and removed keys (with the fix a class gives in its ``REMOVED_KEYS``), converts and
checks each value against the field's type hint (nested dataclasses, tuples, dicts, optionals,
finite numbers, integers, booleans, strings) and collects every problem instead of stopping at
the first; a dataclass's own checks (``__post_init__`` with a :class:`Checks`) are collected
the same way, each under its key. :func:`update` does the same for the changes of
``Scenario.replace``. :func:`raise_problems` reports them all in one
:class:`~coverage.errors.ScenarioError`.

:class:`Checks` is what every ``__post_init__`` starts with: it refuses a number field that
is not a finite number (NaN, inf, a string: objects built in code skip the loader) and then
checks each field against a :class:`Range`, so a dataclass reports all of its problems at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coverage.errors import ScenarioError

__all__ = [
    "Checks",
    "ProblemError",
    "Range",
    "build",
    "raise_problems",
    "read_toml",
    "update",
]


class ProblemError(ScenarioError):
    """The problems of one dataclass: collected and reported together when loading a file,
    raised as they are (a :class:`ScenarioError`) when a dataclass is built in code.

    ``problems`` holds (key, text) pairs; the key is the field's name, or "" for a problem of
    several fields.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {t}" if k else t for k, t in problems))
        self.problems = problems


@dataclass(frozen=True)
class Range:
    """The interval a number must lie in, its unit and why (a source, or "assumption")."""

    low: float
    high: float
    unit: str
    why: str
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` is a finite number inside the interval."""
        if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
            return False
        v = float(value)  # type: ignore[arg-type]
        above = v > self.low if self.low_open else v >= self.low
        below = v < self.high if self.high_open else v <= self.high
        return above and below

    def __str__(self) -> str:
        """The interval in words, e.g. ``[-10, 80] dBm``."""
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{self.low:,g}, {self.high:,g}{right} {self.unit}".rstrip()

    def problem(self, value: float) -> str:
        """What is wrong with ``value`` (outside this range) and the fix, in one sentence."""
        return f"{value:,g} is outside {self} ({self.why}); give a value in that range"


def _join(where: str, key: str) -> str:
    """The dotted key path of ``key`` under ``where`` (either may be "")."""
    return f"{where}.{key}" if where and key else where or key


def _number_kind(hint: Any) -> type | None:
    """``float`` or ``int`` when ``hint`` holds numbers (alone, optional, in a tuple or dict)."""
    args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
    if hint in (float, int):
        return hint
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _number_kind(args[0])
    if origin is tuple and args:
        return _number_kind(args[0])
    if origin is dict and len(args) == 2:
        return _number_kind(args[1])
    return None


def _items(value: Any) -> list[Any]:
    """The values of a dict, the items of a tuple or list, or ``[value]``."""
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, tuple | list) else [value]


@functools.cache
def _number_fields(cls: type) -> tuple[tuple[str, type], ...]:
    """(name, float or int) of every number field of dataclass ``cls``."""
    hints = typing.get_type_hints(cls)
    found = ((f.name, _number_kind(hints[f.name])) for f in dataclasses.fields(cls))
    return tuple((name, kind) for name, kind in found if kind is not None)


class Checks:
    """The problems of one dataclass instance, raised together by :meth:`done`.

    Built first in ``__post_init__``: every number field (a float or int, optional, or the
    items of a tuple or dict of them) must be a finite number of its type, NaN and inf
    included, whoever built the object. A field found bad here is not range-checked again.
    """

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.problems: list[tuple[str, str]] = []
        self._bad: set[str] = set()
        for name, kind in _number_fields(obj.__class__):
            for v in _items(getattr(obj, name)):
                if v is None:
                    continue
                if kind is int and not _is_integer(v):
                    self._refuse(name, f"expected an integer, got {v!r}")
                elif kind is float and not (_is_number(v) and math.isfinite(v)):
                    self._refuse(name, f"expected a finite number, got {v!r}")

    def _refuse(self, key: str, text: str) -> None:
        if key not in self._bad:
            self._bad.add(key)
            self.problems.append((key, text))

    def within(self, key: str, allowed: Range) -> None:
        """Refuse field ``key`` (or any of its items) outside ``allowed``; None passes."""
        if key in self._bad:
            return
        for v in _items(getattr(self.obj, key)):
            if v is not None and v not in allowed:
                self._refuse(key, allowed.problem(v))

    def that(self, ok: bool, text: str, key: str = "") -> None:
        """Refuse with ``text`` unless ``ok`` (under ``key``, or "" for several fields)."""
        if ok:
            return
        if key:
            self._refuse(key, text)
        else:
            self.problems.append(("", text))

    def valid(self, *keys: str) -> bool:
        """Whether none of ``keys`` has a problem yet (to skip a check that needs them)."""
        return not self._bad.intersection(keys)

    def done(self) -> None:
        """Raise :class:`ProblemError` with every problem found, if any."""
        if self.problems:
            raise ProblemError(self.problems)


def _describe(err: ProblemError, where: str) -> list[str]:
    """Each problem of ``err`` as a line under its dotted key path."""
    return [f"{_join(where, key)}: {text}" if key or where else text for key, text in err.problems]


def _known_key(
    cls: type, key: str, fields: dict[str, Any], where: str, problems: list[str]
) -> bool:
    """Whether ``key`` is a field of ``cls``; a removed or unknown key is a problem."""
    removed: dict[str, str] = getattr(cls, "REMOVED_KEYS", {})
    if key in removed:
        problems.append(f"{_join(where, key)}: key {key!r} is no longer used: {removed[key]}")
        return False
    if key not in fields:
        near = difflib.get_close_matches(key, list(fields), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        problems.append(
            f"{where or cls.__name__}: unknown key {key!r}{hint}; known keys: {', '.join(fields)}"
        )
        return False
    return True


def build(cls: type, raw: Any, where: str, problems: list[str]) -> Any:
    """Build dataclass ``cls`` from a TOML table, collecting problems instead of stopping."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a table, got {type(raw).__name__}")
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name != "path"}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if not _known_key(cls, key, fields, where, problems):
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
        problems.extend(_describe(err, where))
    except TypeError:
        pass  # a missing key, reported above
    return None


def update(obj: Any, changes: dict[str, Any], where: str, problems: list[str]) -> Any:
    """A copy of dataclass ``obj`` with ``changes``, checked as :func:`build` checks a table.

    Parameters
    ----------
    obj
        The dataclass instance to copy.
    changes
        New values by field name, as a TOML table would give them (a list for a tuple) or as
        objects; a dict for a nested dataclass field changes only its keys.
    where
        The dotted key path of ``obj``, for the messages ("" at the top).
    problems
        Where each unknown key, wrong type or out-of-range value is appended.

    Returns
    -------
    Any
        The copy, or None when a problem was found.
    """
    cls = type(obj)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(obj) if f.init}
    kwargs: dict[str, Any] = {}
    found = len(problems)
    for key, value in changes.items():
        if not _known_key(cls, key, fields, where, problems):
            continue
        current = getattr(obj, key)
        if isinstance(value, dict) and dataclasses.is_dataclass(current):
            new = update(current, value, _join(where, key), problems)
            new = _INVALID if new is None else new
        else:
            new = _convert(hints[key], value, _join(where, key), problems)
        if new is not _INVALID:
            kwargs[key] = new
    try:
        copy = dataclasses.replace(obj, **kwargs)
    except ProblemError as err:
        problems.extend(_describe(err, where))
        return None
    return copy if len(problems) == found else None


_INVALID = object()


def _convert(hint: Any, value: Any, where: str, problems: list[str]) -> Any:
    """``value`` as type ``hint`` (a dataclass, tuple, dict, scalar or optional of one).

    A problem is appended to ``problems`` and :data:`_INVALID` returned when it does not fit.
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None  # only from code (TOML has no null): an optional field unset
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, where, problems)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if isinstance(value, hint):
            return value  # an object built in code, checked by its own __post_init__
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
    if hint is float and not math.isfinite(value):  # TOML allows nan and inf; no field does
        problems.append(f"{where}: expected a finite number, got {value!r}")
        return _INVALID
    return float(value) if hint is float else value


def _convert_tuple(item: Any, value: Any, where: str, problems: list[str]) -> Any:
    """A TOML list (or a lone string, for a tuple of strings) as a tuple of ``item``.

    A tuple is taken as a list: ``Scenario.replace`` passes values written in code.
    """
    if isinstance(value, str) and item is str:
        value = [value]
    if not isinstance(value, list | tuple):
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
    """The TOML file at ``path`` as a dict; a missing, non-UTF-8 or malformed file, or a
    folder, is a ScenarioError that says what to pass instead."""
    if path.is_dir():
        tomls = sorted(p.name for p in path.glob("*.toml"))
        inside = f" (it holds {', '.join(tomls)})" if tomls else ""
        msg = f"{what} {path} is a folder{inside}; give the path of the TOML file itself."
        raise ScenarioError(msg)
    if not path.is_file():
        msg = f"{what} {path}: file not found."
        raise ScenarioError(msg)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except UnicodeDecodeError as err:
        msg = (
            f"{what} {path}: not UTF-8 text (byte {err.start} is 0x{err.object[err.start]:02x}). "
            "TOML files must be UTF-8: save it again choosing the UTF-8 encoding."
        )
        raise ScenarioError(msg) from err
    except tomllib.TOMLDecodeError as err:
        msg = f"{what} {path}: not valid TOML ({err}). Check quoting and brackets on that line."
        raise ScenarioError(msg) from err


def raise_problems(path: Path, what: str, problems: list[str]) -> None:
    """Raise one ScenarioError that lists every problem found in the file, if any."""
    if problems:
        lines = "\n  - ".join(problems)
        msg = f"{what} {path} has {len(problems)} problem(s):\n  - {lines}"
        raise ScenarioError(msg)
