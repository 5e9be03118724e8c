"""The compiled (numba) kernels of the radio stage; private to :mod:`coverage.radio`.

* :mod:`~coverage.radio._kernels.viewshed`: R2 and R3 viewsheds and link profiles;
* :mod:`~coverage.radio._kernels.propagation`: every profile model in one function;
* :mod:`~coverage.radio._kernels.prediction`: parallel site x target and radial kernels.

The public functions that call them are in :mod:`coverage.radio`.

This package is the one place of :mod:`coverage` that imports numba (after
:func:`coverage._import_numba` has run: importing any submodule of :mod:`coverage` runs the
package's ``__init__`` first). Every compiled module, these kernels and the ITM of
:mod:`coverage.radio.itm`, takes ``numba`` and the shared compile options from here; this
module imports none of them, so that :mod:`coverage.radio.itm` can import it without a cycle.
"""

from __future__ import annotations

from typing import Any

import numba  # coverage/__init__.py imports numba first, hiding this package from it
import numba.core.cgutils  # for the atomic counter of prediction (LLVM IR)
import numba.extending

__all__ = ["FAST_MATH", "NO_REFCOUNT", "numba"]

#: numba options of the per-path functions, which allocate nothing: without NRT (numba's
#: runtime), numba does not incref and decref every array argument at every call, atomic
#: operations on counters both threads share (``_nrt`` is numba's own switch, used in its
#: tests). Their callers must pass arrays they keep alive. Like every ITM function, they use
#: numpy's error model: a division by zero gives inf or NaN in the result instead of numba's
#: check and a ZeroDivisionError on every division.
NO_REFCOUNT: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}

#: LLVM fast-math flags that keep infinities and NaN semantics (the viewshed horizon starts
#: at -inf): reciprocals, contraction into multiply-adds, approximate functions and no
#: signed zeros, but no "nnan"/"ninf".
FAST_MATH = {"arcp", "contract", "afn", "nsz"}
