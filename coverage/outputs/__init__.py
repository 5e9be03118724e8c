"""Stage 4, the outputs: a :class:`~coverage.plan.Plan` made into maps, tables and files.

* :mod:`~coverage.outputs.webmap`: the interactive folium map (offline);
* :mod:`~coverage.outputs.charts`: the static map, profiles and figures (matplotlib);
* :mod:`~coverage.outputs.kml`: the Google Earth KMZ;
* :mod:`~coverage.outputs.report`: summaries and the gap report, in Spanish or English;
* :mod:`~coverage.outputs.report_pages`: the gap report as A4 pages of a PDF (matplotlib);
* :mod:`~coverage.outputs.markdown`: the summary as a Markdown document;
* :mod:`~coverage.outputs.service`: households already served, newly served and still
  unserved, per sub-district, and the tables, chart and notes that show them;
* :mod:`~coverage.outputs.regulatory`: the bands' regulation and the operator-partner
  statement of a licensed band, in the summary and the documents;
* :mod:`~coverage.outputs.export`: writes every output of a plan into a folder;
* :mod:`~coverage.outputs.files`: safe output paths and atomic writes;
* :mod:`~coverage.outputs.manifest`: what made the outputs, with checksums;
* :mod:`~coverage.outputs.compare`: two plans side by side, and parameter sweeps;
* :mod:`~coverage.outputs.text`: names from user data made safe for each sink (HTML,
  Markdown, KML, matplotlib, CSV, file names); every writer passes names through it;
* :mod:`~coverage.outputs.labels` and :mod:`~coverage.outputs.styles`: the words (both
  languages, number formats) and the looks (signal classes, colours, hillshade, overlay
  reprojection, PNG) that the writers share; a writer takes its words and colours from
  these two, never from another writer;
* :mod:`~coverage.outputs.words`: what the territory calls its sub-districts (vereda,
  barrio, sector), singular and plural per language, for the labels and the file names.

Writers only read a plan. Only this stage reprojects to EPSG:4326.
"""
