"""Placement with backhaul: access sites, relays and links to the point of presence.

* :mod:`~coverage.planning.backhaul.model`: the MILP formulation over the link graph;
* :mod:`~coverage.planning.backhaul.milp`: :func:`~coverage.planning.backhaul.milp.plan_network`,
  the warm-started solve;
* :mod:`~coverage.planning.backhaul.search`: the greedy start and the local searches;
* :mod:`~coverage.planning.backhaul.connect`: the greedy connection of access sites to the
  PoP along cheapest hop-limited paths.
"""
