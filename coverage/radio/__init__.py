"""Stage 2, the radio: line of sight, path loss and received power over the terrain.

* :mod:`~coverage.radio.visibility`: Earth bulge, Fresnel zone, viewsheds;
* :mod:`~coverage.radio.clearance`: link clearance, site x target visibility tables;
* :mod:`~coverage.radio.propagation`: swappable path-loss models along one profile;
* :mod:`~coverage.radio.losses`: the free-space and knife-edge loss formulas;
* :mod:`~coverage.radio.itm`: the Longley-Rice Irregular Terrain Model;
* :mod:`~coverage.radio.prediction`: point predictions from sites, and their settings;
* :mod:`~coverage.radio.grid_prediction`: area predictions over the terrain grid;
* :mod:`~coverage.radio.antenna`: site antenna patterns (omni, sector, MSI files);
* :mod:`~coverage.radio.linkbudget`: clutter, SNR, throughput and margins;
* :mod:`~coverage.radio.technology`: radio presets with their sources;
* :mod:`~coverage.radio.regulation`: each preset's band, licence and EIRP rule in Colombia;
* :mod:`~coverage.radio.composite`: many sites on one grid (best server, overlap).
* :mod:`~coverage.radio.rain`: rain fade of point-to-point links (P.838-3, P.530-18).

The compiled numba kernels live in the private :mod:`coverage.radio._kernels`. Modules here
import only :mod:`coverage.inputs` and the core.
"""
