"""The compiled (numba) kernels of the radio stage; private to :mod:`coverage.radio`.

* :mod:`~coverage.radio._kernels.viewshed`: R2 and R3 viewsheds and link profiles;
* :mod:`~coverage.radio._kernels.propagation`: every profile model in one function;
* :mod:`~coverage.radio._kernels.prediction`: parallel site x target and radial kernels.

The public functions that call them are in :mod:`coverage.radio`.
"""
