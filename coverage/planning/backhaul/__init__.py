"""Placement with backhaul: access sites, relays and links to the point of presence.

* :mod:`~coverage.planning.backhaul.milp`: :func:`~coverage.planning.backhaul.milp.plan_network`,
  the solve (warm starts, rounds of lazy demand rows and two-path cuts) and its result;
* :mod:`~coverage.planning.backhaul.checks`: the checks that say in words why a problem
  cannot be met (no route to the PoP, an unseen school, a target out of reach);
* :mod:`~coverage.planning.backhaul.connect`: the greedy connection of access sites to the
  PoP along cheapest hop-limited paths with room for their traffic;
* :mod:`~coverage.planning.backhaul.formulation`: the MILP in matrix form (column layout,
  one function per constraint family, plans as start vectors, the two-path cuts a plan
  violates);
* :mod:`~coverage.planning.backhaul.model`:
  :class:`~coverage.planning.backhaul.model.BackhaulModel`, the problem prepared for the
  MILP (reduced graph, merged demand, traffic, column layout), its solve and the plans it prices,
  checks and decodes;
* :mod:`~coverage.planning.backhaul.network`: the candidate link graph reduced to index
  arrays (PoPs merged, hop limit, link pruning, two-path candidates);
* :mod:`~coverage.planning.backhaul.routing`: a plan's traffic routed over its own links
  within capacity and hop limit, the one feasibility test of every heuristic plan;
* :mod:`~coverage.planning.backhaul.search`: the greedy-then-connect baseline and the local
  search (moves) that make the warm start;
* :mod:`~coverage.planning.backhaul.kicks`: the seeded iterated local search on it;
* :mod:`~coverage.planning.backhaul.trim`: a heuristic plan whose links cannot carry its
  traffic, trimmed leaf by leaf until they can (the warm start when backhaul binds).
"""
