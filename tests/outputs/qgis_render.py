"""Open a plan's output folder in QGIS (PyQGIS, offscreen) and print what it shows as JSON.

Run by tests/outputs/test_qgisstyle.py with the system Python that has Debian's python3-qgis
(`/usr/bin/python3 qgis_render.py OUT_DIR`); not a test module itself.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (
    QgsApplication,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

out = sys.argv[1]
app = QgsApplication([], False)
app.initQgis()
report: dict[str, dict[str, dict]] = {"rasters": {}, "vectors": {}}


def render(layer, size=200):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setExtent(layer.extent())
    s.setOutputSize(QSize(size, size))
    s.setBackgroundColor(QColor(255, 255, 255, 255))
    s.setDestinationCrs(layer.crs())
    job = QgsMapRendererSequentialJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    colours: dict[str, int] = {}
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = QColor(img.pixel(x, y)).name()
            colours[c] = colours.get(c, 0) + 1
    return colours


for stem in ("coverage_rx_class", "coverage_best_server", "coverage_rx_dbm"):
    lyr = QgsRasterLayer(os.path.join(out, stem + ".tif"), stem)
    ren = lyr.renderer()
    info = {"valid": lyr.isValid(), "renderer": ren.type()}
    if ren.type() == "paletted":
        info["classes"] = [[c.value, c.color.name(), c.label] for c in ren.classes()]
    if ren.type() == "singlebandpseudocolor":
        shader = ren.shader().rasterShaderFunction()
        info["ramp_type"] = int(shader.colorRampType())
        info["items"] = [[i.value, i.color.name(), i.label] for i in shader.colorRampItemList()]
    info["colours"] = render(lyr)
    report["rasters"][stem] = info

for name in ("demand", "sites", "links", "veredas", "coverage", "best_server"):
    lyr = QgsVectorLayer(f"{out}/plan.gpkg|layername={name}", name)
    ren = lyr.renderer()
    info = {"valid": lyr.isValid(), "renderer": ren.type(), "features": lyr.featureCount()}
    if ren.type() == "categorizedSymbol":
        info["attr"] = ren.classAttribute()
        info["categories"] = [
            [str(c.value()), c.label(), c.symbol().color().name()] for c in ren.categories()
        ]
    if ren.type() == "singleSymbol":
        sl = ren.symbol().symbolLayer(0)
        info["brush"] = int(sl.brushStyle()) if hasattr(sl, "brushStyle") else None
    if ren.type() == "RuleRenderer":
        info["rules"] = [
            [r.label(), r.filterExpression(), r.symbol().color().name()]
            for r in ren.rootRule().children()
        ]
    info["labels"] = bool(lyr.labelsEnabled())
    info["colours"] = render(lyr)
    report["vectors"][name] = info

print("JSON" + json.dumps(report), flush=True)
# QGIS 3.22's teardown (exitQgis and the interpreter's exit after it) can segfault when run
# without a display; the report is out, so leave without it.
os._exit(0)
