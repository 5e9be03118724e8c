"""The checks that explain in words why a placement problem with backhaul cannot be met.

:func:`reachable_covers` keeps the options of the candidates that reach the point of
presence (by two link-disjoint paths when asked) and raises
:class:`~coverage.errors.InfeasibleError` naming what blocks the problem: no candidate
reaches the PoP, a must-cover point no candidate sees or only unreachable ones see, or a
target share above what the reachable candidates cover.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from coverage.errors import InfeasibleError
from coverage.planning.problem import PlacementProblem

__all__ = ["explain_infeasible", "reachable_covers"]


def _why_not(problem: PlacementProblem) -> str:
    hops = f"within {problem.hop_limit} hops" if problem.hop_limit is not None else "at all"
    if problem.two_paths:
        return f"with two link-disjoint relay chains to the point of presence {hops}"
    return f"with a relay chain to the point of presence {hops}"


def _distinct_sites(A: sparse.csr_array, cand_of: NDArray[np.int64]) -> NDArray[np.int64]:
    """Per demand point, the distinct candidates whose options see it."""
    C = sparse.csr_array(
        (np.ones(A.shape[0]), (cand_of, np.arange(A.shape[0]))),
        shape=(int(cand_of.max()) + 1 if cand_of.size else 0, A.shape[0]),
    )
    return np.asarray(((C @ A.astype(np.float64)) > 0).sum(axis=0)).ravel().astype(np.int64)


def reachable_covers(
    problem: PlacementProblem, access_ok: NDArray[np.bool_]
) -> tuple[sparse.csr_array, float | None]:
    """The covers of the options that may serve, and the people to cover (target only).

    Parameters
    ----------
    problem
        The placement problem.
    access_ok
        Per candidate: may be an access site (a route to the PoP, two when asked).

    Returns
    -------
    covers, need_weight
        ``problem.covers`` with the rows of the other options emptied, and the people to
        cover under a target share (None under a budget).

    Raises
    ------
    InfeasibleError
        No candidate may serve; a must-cover point lacks ``k_coverage`` candidates that
        see it, or that may serve it; the target exceeds what they can cover. The message
        says which, in words.
    """
    p = problem
    nh, k = p.n_heights, p.k_coverage
    if not access_ok.any():
        msg = (
            f"No relay chain reaches the point of presence {list(p.pop_ids)} "
            f"{'within ' + str(p.hop_limit) + ' hops' if p.hop_limit else ''}"
            f"{' by two link-disjoint paths' if p.two_paths else ''}: none of the "
            f"{len(p.candidate_ids)} candidates qualifies. Check the PoP location, raise the "
            "hop limit or the maximum link length, or add candidates on the ridges."
        )
        raise InfeasibleError(msg)
    opt_ok = np.repeat(access_ok, nh)
    A_ok = sparse.csr_array(p.covers.multiply(opt_ok[:, None]))
    cand_of = np.arange(p.covers.shape[0]) // nh
    any_site = _distinct_sites(p.covers, cand_of)
    ok_site = _distinct_sites(A_ok, cand_of)
    for j in np.nonzero(p.must)[0]:
        if any_site[j] < k:
            msg = (
                f"{p.names[j]} cannot be seen by "
                f"{'any candidate' if k == 1 else f'{k} candidates'} within "
                "the technology's range; add a candidate site near it or drop it from "
                "the must-cover list."
            )
            raise InfeasibleError(msg)
        if ok_site[j] < k:
            seen_by = cand_of[p.covers[:, [j]].nonzero()[0]]
            seen = sorted({str(p.candidate_ids[c]) for c in seen_by})
            msg = (
                f"{p.names[j]} is seen only by candidates without "
                f"{_why_not(p)[5:]} ({', '.join(seen[:6])})."
            )
            raise InfeasibleError(msg)
    if p.target_share is None:
        return A_ok, None
    share = p.share_weights
    reachable = float(share[ok_site >= k].sum())
    need = float(p.target_share) * float(share.sum())
    if need > reachable + 1e-9:
        msg = (
            f"At most {reachable / max(share.sum(), 1e-12):.1%} of the people can "
            f"be covered by candidates {_why_not(p)}, but {p.target_share:.1%} was "
            "asked; lower the target, raise the hop limit or add candidates."
        )
        raise InfeasibleError(msg)
    return A_ok, need


def explain_infeasible(problem: PlacementProblem, need_weight: float | None) -> str:
    """Why the solver found no plan, in words (every constraint that binds).

    Parameters
    ----------
    problem
        The placement problem.
    need_weight
        People to cover under a target (cost objective), else None.

    Returns
    -------
    str
        The message for :class:`~coverage.errors.InfeasibleError`.
    """
    p = problem
    parts = [
        "No plan satisfies every constraint together:",
        f"budget {p.budget_usd:,.0f} USD"
        if p.budget_usd is not None
        else f"coverage of {need_weight or 0:,.0f} people and every must-cover point",
        f"hop limit {p.hop_limit}" if p.hop_limit else "",
        "two link-disjoint paths per site" if p.two_paths else "",
        "and link capacity against the traffic each site carries. Relax one of them.",
    ]
    return " ".join(s for s in parts if s)
