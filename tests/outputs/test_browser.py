"""The exported map in a real browser: headless Chromium (Debian ``chromium``), offline.

The page is opened from disk with networking off in spirit (no basemap tiles, Leaflet
inlined from the ``xstatic-leaflet`` wheel, no system package); the Leaflet that ran must be
the wheel's version (Debian's ``libjs-leaflet`` ships another); Chromium's console is captured on stderr
(``--enable-logging=stderr``) and must hold no JavaScript error; the DOM after the scripts
ran (``--dump-dom``) must hold the map, every layer in the layer control, the image
overlays, the vector layers, the legend and the warnings box; and a screenshot is saved and
must not be blank, and must show the warnings box.
Names from input files carry payloads that would log ``XSS-RAN`` if they ever ran.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from coverage.outputs import export, webmap

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-extensions",
    "--virtual-time-budget=4000",
]
PAYLOADS = ["<img src=x onerror=\"console.error('XSS-RAN')\">", "`${console.error('XSS-RAN')}`"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium not found: apt-get install chromium (see Makefile)")


def _run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile{len(list(tmp.glob('profile*')))}"
    return subprocess.run(
        [_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp)},
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from tests.helpers import build_tiny_plan

    plan = build_tiny_plan("browser <test>")
    v = plan.veredas.copy()
    v["name"] = PAYLOADS
    s = plan.sites.copy()
    s["name"] = PAYLOADS[0]
    d = plan.demand.copy()
    d["name"] = PAYLOADS[1]
    plan = dataclasses.replace(plan, veredas=v, sites=s, demand=d, warnings=(PAYLOADS[0],))
    out = tmp_path_factory.mktemp("browser")
    return export.write_outputs(plan, out, language="en", formats=["map"])["map"]


#: Test-only script: once the map is up, put every popup's and tooltip's content into the
#: page with innerHTML, as Leaflet does when one opens, so that a payload would run now.
DUMP = """<script>
window.addEventListener("load", function () {
  var box = document.createElement("div"); box.id = "popup-dump"; document.body.appendChild(box);
  Object.keys(window).filter(function (k) { return k.indexOf("map_") === 0; }).forEach(function (k) {
    window[k].eachLayer(function (l) {
      [l.getPopup && l.getPopup(), l.getTooltip && l.getTooltip()].forEach(function (p) {
        if (p) { var d = document.createElement("div"); d.innerHTML = p.getContent(); box.appendChild(d); }
      });
    });
  });
  console.log("DUMPED " + box.children.length);
  console.log("LEAFLET-VERSION " + L.version);
});
</script>"""


def test_map_loads_in_chromium_with_all_layers_and_no_js_error(page, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", DUMP + "</body>"))
    done = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", probe.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [ln for ln in done.stderr.splitlines() if ":CONSOLE" in ln]
    errors = [ln for ln in console if re.search(r"Uncaught|Error|XSS-RAN", ln)]
    assert errors == [], "\n".join(errors)
    dumped = [ln for ln in console if "DUMPED" in ln]
    count = re.search(r"DUMPED (\d+)", dumped[0]) if dumped else None
    assert count is not None and int(count.group(1)) >= 30, console
    ran = [ln for ln in console if "LEAFLET-VERSION" in ln]
    assert ran and f"LEAFLET-VERSION {webmap.LEAFLET_VERSION}" in ran[0], console
    dom = done.stdout
    dump = dom[dom.index('id="popup-dump"') :]
    assert "&lt;img src=x onerror=" in dump  # the names are there, as text
    assert "leaflet-container" in dom, "Leaflet did not start"
    labels = re.findall(r'class="leaflet-control-layers-selector"[^>]*><span> ([^<]+)<', dom)
    assert labels == [
        "Terrain (hillshade)",
        "Coverage: best server (dBm)",
        "Best server",
        "Coverage of site S1",
        "Coverage of site S2",
        "Veredas",
        "Backhaul links",
        "Sites",
        "Existing mobile sites",
        "Demand: Already served",
        "Demand: Newly served",
        "Demand: Still unserved",
    ]
    assert dom.count("leaflet-image-layer") >= 2  # hillshade + coverage are on
    assert dom.count("leaflet-interactive") >= 4 + 4 + 2 + 8  # links, sites, existing, demand
    assert 'id="coverage-legend"' in dom
    warnings = dom[dom.index('id="coverage-warnings"') :]
    assert warnings.index("⚠ Warnings") < warnings.index("&lt;img src=x onerror=")
    # a payload that had been parsed as HTML would be a live <img src="x"> element
    assert '<img src="x"' not in dom
    assert "browser &lt;test&gt;" in dom  # the plan's name, shown as text


def test_map_screenshot_is_not_blank(page, tmp_path):
    shot = tmp_path / "map.png"
    done = _run(["--window-size=1200,800", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    img = matplotlib.image.imread(shot)
    assert img.shape[:2] == (800, 1200)
    rgb = img[..., :3].reshape(-1, 3)
    # hillshade greys, coverage colours, markers: many distinct colours, not a blank page
    assert len(np.unique((rgb * 255).astype(np.uint8), axis=0)) > 50
    # the warnings box is on screen: its background (#fff4e5) fills a visible area
    warning_bg = np.all(np.abs(rgb - np.array([255, 244, 229]) / 255) < 0.01, axis=1)
    assert warning_bg.sum() > 5000
    keep = os.environ.get("COVERAGE_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "map.png")
