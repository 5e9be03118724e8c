"""The package imports cleanly beside numba, whatever the import order.

numba's code-coverage hook does ``import coverage`` expecting coverage.py, which shares this
package's import name (see ``coverage/__init__.py``).
"""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "code",
    [
        "import coverage.radio.itm, numba; assert hasattr(numba, 'njit')",
        "import numba; import coverage.radio.visibility; from coverage import plan_coverage",
        "import numba.misc.coverage_support as c; assert not c.coverage_available",
    ],
)
def test_import_orders(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_public_surface() -> None:
    import coverage

    assert set(coverage.__all__) >= {"plan_coverage", "load_scenario", "Plan", "__version__"}
