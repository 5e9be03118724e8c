"""Stage 1, the inputs: where the data comes from and what it says, in the working CRS.

* :mod:`~coverage.inputs.sources` finds each layer of an area (beside the area file, in a
  mirror, in the cache, or downloaded and checked against its sha256);
* :mod:`~coverage.inputs.terrain` reads a DEM into a :class:`~coverage.inputs.terrain.Terrain`
  on a square-cell grid in the working CRS;
* :mod:`~coverage.inputs.rasters` resamples other rasters (population, land cover) onto that
  grid and writes grids as GeoTIFFs;
* :mod:`~coverage.inputs.voids` fills a DEM's voids (nodata) and counts them;
* :mod:`~coverage.inputs.settlements` validates the boundary, sub-district and school layers
  and turns them into weighted demand points;
* :mod:`~coverage.inputs.subdivisions` gives every vereda its own id and name, the keys of the
  per-vereda tables;
* :mod:`~coverage.inputs.extents` checks that the layers lie where the DEM is (a wrong or
  missing CRS, swapped axes) and names the schools outside the terrain grid.

Modules here import only :mod:`coverage.errors` and :mod:`coverage.scenario`.
"""
