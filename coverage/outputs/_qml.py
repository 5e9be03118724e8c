"""Building blocks of QGIS's QML style files, for :mod:`coverage.outputs.qgisstyle`.

Private: the elements QGIS 3 reads (``<qgis>``, ``renderer-v2``, symbols with their
``<Option type="Map">`` properties, simple labels, raster renderers), built with
:mod:`xml.etree.ElementTree` and serialised the same way each time.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from coverage.outputs import styles

#: The QGIS version the styles are written for (the Debian 12 ``qgis`` package's series).
QGIS_VERSION = "3.22.16-Białowieża"
#: Opacity (0-255) of the filled polygons of signal class and best server in the GeoPackage.
FILL_ALPHA = 170


def rgba(color: str | tuple[int, int, int], alpha: int = 255) -> str:
    r, g, b = styles.hex_rgb(color) if isinstance(color, str) else color
    return f"{r},{g},{b},{alpha}"


def hex_color(color: str | tuple[int, int, int]) -> str:
    r, g, b = styles.hex_rgb(color) if isinstance(color, str) else color
    return f"#{r:02x}{g:02x}{b:02x}"


def qgis_root(categories: str) -> ET.Element:
    return ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": categories})


def serialise(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def options(parent: ET.Element, values: Mapping[str, str]) -> None:
    """A symbol layer's properties as QGIS 3 writes them: ``<Option type="Map">``."""
    opt = ET.SubElement(parent, "Option", {"type": "Map"})
    for k, v in values.items():
        ET.SubElement(opt, "Option", {"type": "QString", "name": k, "value": v})


def symbol(kind: str, name: str, layer_class: str, values: Mapping[str, str]) -> ET.Element:
    sym = ET.Element(
        "symbol",
        {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    layer = ET.SubElement(
        sym, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"}
    )
    options(layer, values)
    return sym


def marker(color: str | tuple[int, int, int], shape: str, size_mm: float) -> dict[str, str]:
    return {
        "name": shape,
        "color": rgba(color),
        "size": f"{size_mm:g}",
        "size_unit": "MM",
        "outline_color": "35,35,35,255",
        "outline_style": "solid",
        "outline_width": "0.15",
        "outline_width_unit": "MM",
    }


def fill(color: str | tuple[int, int, int] | None, outline: str, width_mm: float) -> dict[str, str]:
    return {
        "color": rgba(color, FILL_ALPHA) if color is not None else "0,0,0,0",
        "style": "solid" if color is not None else "no",
        "outline_color": rgba(outline),
        "outline_style": "solid" if width_mm > 0 else "no",
        "outline_width": f"{width_mm:g}",
        "outline_width_unit": "MM",
    }


def layer_tail(root: ET.Element) -> None:
    for tag, text in (("blendMode", "0"), ("featureBlendMode", "0"), ("layerOpacity", "1")):
        ET.SubElement(root, tag).text = text


def labels_of(root: ET.Element, field: str) -> None:
    """Simple labels of a field: 8 pt dark grey text with a white buffer."""
    lab = ET.SubElement(root, "labeling", {"type": "simple"})
    settings = ET.SubElement(lab, "settings", {"calloutType": "simple"})
    text = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": field,
            "isExpression": "0",
            "fontSize": "8",
            "fontSizeUnit": "Point",
            "textColor": "40,40,40,255",
            "textOpacity": "1",
        },
    )
    ET.SubElement(
        text,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.7",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "1",
        },
    )


def categorized(
    root: ET.Element,
    attr: str,
    entries: Sequence[tuple[str, str, ET.Element]],
) -> None:
    """A ``categorizedSymbol`` renderer: (value, label, symbol) per category."""
    ren = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "categorizedSymbol", "attr": attr, "symbollevels": "0", "forceraster": "0"},
    )
    cats = ET.SubElement(ren, "categories")
    syms = ET.SubElement(ren, "symbols")
    for i, (value, text, sym) in enumerate(entries):
        ET.SubElement(
            cats, "category", {"render": "true", "symbol": str(i), "value": value, "label": text}
        )
        sym.set("name", str(i))
        syms.append(sym)


def single(root: ET.Element, sym: ET.Element) -> None:
    ren = ET.SubElement(
        root, "renderer-v2", {"type": "singleSymbol", "symbollevels": "0", "forceraster": "0"}
    )
    syms = ET.SubElement(ren, "symbols")
    sym.set("name", "0")
    syms.append(sym)


def raster_root(renderer: Mapping[str, str]) -> tuple[ET.Element, ET.Element]:
    root = qgis_root("Symbology")
    pipe = ET.SubElement(root, "pipe")
    ren = ET.SubElement(
        pipe,
        "rasterrenderer",
        {"band": "1", "opacity": "1", "alphaBand": "-1", "nodataColor": "", **renderer},
    )
    ET.SubElement(ren, "rasterTransparency")
    return root, ren


def raster_tail(root: ET.Element, ren: ET.Element) -> str:
    pipe = root.find("pipe")
    assert pipe is not None
    ET.SubElement(pipe, "brightnesscontrast", {"brightness": "0", "contrast": "0", "gamma": "1"})
    ET.SubElement(pipe, "rasterresampler", {"maxOversampling": "2"})
    ET.SubElement(root, "blendMode").text = "0"
    return serialise(root)


def paletted(entries: Sequence[tuple[int, tuple[int, int, int], str]]) -> str:
    root, ren = raster_root({"type": "paletted"})
    pal = ET.SubElement(ren, "colorPalette")
    for value, color, text in entries:
        ET.SubElement(
            pal,
            "paletteEntry",
            {"value": str(value), "color": hex_color(color), "alpha": "255", "label": text},
        )
    return raster_tail(root, ren)
