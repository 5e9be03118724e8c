"""Leaflet for the offline map: the copy the ``xstatic-leaflet`` wheel ships, and page kinds.

:func:`leaflet_assets` is the folder of Leaflet's ``leaflet.js``, ``leaflet.css`` and images
that :func:`coverage.outputs.webmap.map_html` inlines (a dependency of this package: no
system package is needed); :func:`inline_css` is the stylesheet with its images as data URIs;
:func:`map_kind` tells from a page whether it is offline or loads Leaflet from a CDN (the
manifest records it).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import xstatic.pkg.leaflet as xstatic_leaflet

__all__ = [
    "LEAFLET_URLS",
    "LEAFLET_VERSION",
    "data_uri",
    "inline_css",
    "leaflet_assets",
    "map_kind",
]

#: The Leaflet version inlined: the one the ``xstatic-leaflet`` wheel ships.
LEAFLET_VERSION: str = xstatic_leaflet.VERSION
#: Where a page rendered with ``offline=False`` loads the same Leaflet version from.
LEAFLET_URLS = {
    "leaflet": f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js",
    "leaflet_css": f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css",
}


def data_uri(png: bytes) -> str:
    """A PNG image as a ``data:`` URI.

    Parameters
    ----------
    png
        The PNG file's bytes.

    Returns
    -------
    str
        ``data:image/png;base64,...``.
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def leaflet_assets() -> Path:
    """Folder of the Leaflet copy that is inlined: ``leaflet.js``, ``leaflet.css``, ``images/``.

    Returns
    -------
    Path
        The ``data`` folder of the installed ``xstatic-leaflet`` wheel (Leaflet
        :data:`LEAFLET_VERSION`).
    """
    return Path(xstatic_leaflet.BASE_DIR)


def inline_css(folder: Path) -> str:
    """Leaflet's stylesheet with its PNG images inlined as data URIs.

    Parameters
    ----------
    folder
        A Leaflet folder (:func:`leaflet_assets`).

    Returns
    -------
    str
        The text of ``leaflet.css``, each ``url(images/...png)`` replaced by a data URI.
    """
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def _repl(mt: re.Match[str]) -> str:
        img = folder / mt.group(1)
        if img.is_file() and img.suffix == ".png":
            return f"url({data_uri(img.read_bytes())})"
        return mt.group(0)

    return re.sub(r"url\((images/[\w.-]+)\)", _repl, css)


_LEAFLET_BANNER = re.compile(r"\* Leaflet (\d+\.\d+\.\d+), a JS library for interactive maps")


def map_kind(page: str) -> dict[str, Any]:
    """Which kind of map page this is: offline (Leaflet inlined) or loading Leaflet from a CDN.

    Parameters
    ----------
    page
        An HTML page from :func:`map_html`.

    Returns
    -------
    dict
        ``kind`` (``"offline"`` when the page loads no script or stylesheet from the
        network, else ``"cdn"``), ``leaflet_version`` (of the inlined copy, from its banner,
        or of the CDN link; None when neither is found) and ``leaflet_source``
        (``"xstatic-leaflet"`` when inlined, the CDN URL, or None when the page holds no
        Leaflet).
    """
    remote = re.search(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', page)
    if remote is None:
        banner = _LEAFLET_BANNER.search(page)
        return {
            "kind": "offline",
            "leaflet_version": banner.group(1) if banner else None,
            "leaflet_source": "xstatic-leaflet" if banner else None,
        }
    version = re.search(r"leaflet@(\d+\.\d+\.\d+)", remote.group(1))
    return {
        "kind": "cdn",
        "leaflet_version": version.group(1) if version else None,
        "leaflet_source": remote.group(1),
    }
