"""Stage 3, the planning: where towers go, how high, and how they reach the fibre.

* :mod:`~coverage.planning.candidates`: terrain high points, schools and user sites;
* :mod:`~coverage.planning.costs`: the cost table and the price of each placement option;
* :mod:`~coverage.planning.linkgraph`: the feasible backhaul links between candidates;
* :mod:`~coverage.planning.channels`: the 5.8 GHz channel plan of the backhaul links;
* :mod:`~coverage.planning.covering`: demand aggregation, the greedy heuristics and the
  placement result;
* :mod:`~coverage.planning.problem`: the placement problems and the solve settings, as
  value objects;
* :mod:`~coverage.planning.placement`: maximal covering and minimum cost, with backhaul;
* :mod:`~coverage.planning.backhaul`: the MILP with backhaul, its model and local search;
* :mod:`~coverage.planning.solver`: HiGHS behind one small function.

Modules here import only :mod:`coverage.radio`, :mod:`coverage.inputs` and the core.
"""
