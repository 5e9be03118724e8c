"""The ``coverage`` package: a rural connectivity planner.

Terrain rasters and settlement layers go in; line of sight, radio propagation and
network-graph models choose tower sites and their backhaul; coverage maps and gap reports
come out. The package is housed by stage, and imports go one way: each part below imports
only from the parts listed before it.

* the core: :mod:`coverage.scenario` (scenario and area TOML files as frozen dataclasses)
  and :mod:`coverage.errors`;
* :mod:`coverage.inputs`: the data found, checked and loaded (sources, terrain, settlements
  and demand points);
* :mod:`coverage.radio`: visibility, propagation (ITM and others), predictions, link budget,
  technology presets, many sites on one grid;
* :mod:`coverage.planning`: candidate sites, costs, the backhaul link graph, the placement
  with backhaul;
* :mod:`coverage.plan`: the :class:`Plan` value object, between planning and outputs;
* :mod:`coverage.outputs`: maps, tables, reports and files of a plan;
* :mod:`coverage.pipeline` and :mod:`coverage.cli` on top: the stages run in order (the
  scenario resolved once, the inputs prepared, candidates, coverage matrix, placement, the
  plan), as functions and as the ``coverage-plan`` command.

:mod:`coverage.synthetic` builds deterministic terrain for tests and examples.
:func:`plan_coverage`, :func:`run_scenario`, :func:`load_scenario`, :class:`Plan` and
:class:`Scenario` are importable from here.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import PackageNotFoundError, version


def _import_numba() -> None:
    """Import numba once, with this package hidden from it.

    numba's optional code-coverage hook (``numba.misc.coverage_support``) runs
    ``import coverage`` expecting coverage.py, which shares this package's import name; it
    would find this package and fail. Hidden for that one import, numba sees no coverage.py.
    Every module of this package that uses numba is imported after this runs.
    """
    if "numba" in sys.modules:
        return
    ours = sys.modules.get(__name__)
    sys.modules[__name__] = None  # type: ignore[assignment]
    try:
        import numba  # noqa: F401
    finally:
        sys.modules[__name__] = ours  # type: ignore[assignment]


_partial = sys.modules.get("numba")
if _partial is not None and not hasattr(_partial, "njit"):
    # numba is being imported (by the user, before this package) and its code-coverage hook
    # asks for coverage.py: say this is not it, so numba carries on without that hook.
    msg = "this 'coverage' is the rural coverage planner, not coverage.py"
    raise ImportError(msg)
_import_numba()

try:
    __version__ = version("coverage-planner")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from coverage.errors import CoverageError  # noqa: E402

__all__ = [
    "CoverageError",
    "Plan",
    "Scenario",
    "__version__",
    "load_scenario",
    "plan_coverage",
    "run_scenario",
]

# The entry points are imported on first use, so that `import coverage.inputs.terrain` or the
# `viewshed` command do not pay for the whole pipeline's imports.
_LAZY = {
    "Plan": "coverage.plan",
    "Scenario": "coverage.scenario",
    "load_scenario": "coverage.scenario",
    "plan_coverage": "coverage.pipeline",
    "run_scenario": "coverage.pipeline",
}


def __getattr__(name: str) -> object:
    """An entry point of :data:`_LAZY`, imported from its module on first use.

    Parameters
    ----------
    name
        The attribute asked for, e.g. ``"plan_coverage"``.

    Returns
    -------
    object
        The function or class of that name.

    Raises
    ------
    AttributeError
        ``name`` is not one of the package's attributes.
    """
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'coverage' has no attribute {name!r}"
    raise AttributeError(msg)
