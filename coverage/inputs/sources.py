"""Find an input layer's file: beside the area file, in a mirror folder, in the cache, or online.

Every layer in an area description names a file, the public source it comes from, and the
sha256 checksums of the versions the project accepts. :func:`resolve_layer` looks for the
file, in order:

1. beside the area TOML (a local path the user placed there);
2. in a mirror folder: the ``mirror`` argument, else ``$COVERAGE_DATA_MIRROR`` (offline and
   air-gapped use; ``../shared/data/palmitas`` in tests and CI);
3. in the download cache (``$COVERAGE_CACHE_DIR``, else ``~/.cache/coverage``);
4. downloaded into the cache from ``$COVERAGE_DATA_BASE_URL/<file>`` when that is set (an
   organisation's server hosting a mirror), else from the layer's own ``url``.

A file found in steps 2-4 must match one of the layer's checksums; a download is written to a
temporary name, checked, then renamed, so a failed or corrupt download never leaves a file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from coverage.errors import DataSourceError
from coverage.scenario import AreaSpec, LayerSpec

__all__ = ["cache_dir", "resolve_layer", "resolve_layers", "sha256_of"]

log = logging.getLogger(__name__)

#: Seconds to wait for a download server before giving up.
DOWNLOAD_TIMEOUT_S = 60.0


def sha256_of(path: Path) -> str:
    """Hex sha256 digest of a file, read in 1 MiB blocks.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        The digest as 64 lower-case hex digits, as an area file's ``sha256`` lists them.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    """The download cache folder (``$COVERAGE_CACHE_DIR`` or ``~/.cache/coverage``).

    Returns
    -------
    Path
        The folder, read from the environment at each call (it may not exist yet).
    """
    env = os.environ.get("COVERAGE_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "coverage"


def _verify(path: Path, layer: LayerSpec, name: str, where: str) -> None:
    if not layer.sha256:
        return
    actual = sha256_of(path)
    if actual not in layer.sha256:
        msg = (
            f"Layer {name!r}: {path} ({where}) has sha256 {actual}, but the area file accepts only "
            f"{', '.join(layer.sha256)}. Replace the file with the version the area file names, or, "
            "if you checked the new version, add its sha256 to the layer's `sha256` list."
        )
        raise DataSourceError(msg)


def _download(url: str, dest: Path, layer: LayerSpec, name: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    log.info("downloading layer %s from %s", name, url)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response,
        ):
            shutil.copyfileobj(response, out)
        _verify(tmp, layer, name, f"downloaded from {url}")
        os.replace(tmp, dest)
    except (urllib.error.URLError, OSError) as err:
        if isinstance(err, DataSourceError):
            raise
        msg = (
            f"Layer {name!r}: download from {url} failed ({err}). Work offline with a mirror "
            "folder: --mirror DIR or COVERAGE_DATA_MIRROR=DIR."
        )
        raise DataSourceError(msg) from err
    finally:
        tmp.unlink(missing_ok=True)


def resolve_layer(
    name: str,
    layer: LayerSpec,
    *,
    area_dir: Path | None = None,
    mirror: str | os.PathLike[str] | None = None,
) -> Path:
    """Return a local, verified path for one layer of an area description.

    Parameters
    ----------
    name
        The layer's key in the area file (for messages).
    layer
        Its specification (file name, URL, accepted sha256).
    area_dir
        Folder of the area TOML; a file there is used as it is (a user's own local copy).
    mirror
        Mirror folder; defaults to ``$COVERAGE_DATA_MIRROR``.

    Returns
    -------
    Path
        The file beside the area TOML (used unchecked), or in the mirror or the cache, or
        just downloaded into the cache; these three are checked against ``layer.sha256``
        when it lists any.

    Raises
    ------
    DataSourceError
        The file is nowhere to be found and cannot be downloaded, or its checksum differs.
    """
    if area_dir is not None and (area_dir / layer.file).is_file():
        return area_dir / layer.file
    mirror_dir = mirror if mirror is not None else os.environ.get("COVERAGE_DATA_MIRROR")
    if mirror_dir:
        candidate = Path(mirror_dir) / layer.file
        if candidate.is_file():
            _verify(candidate, layer, name, "mirror")
            return candidate
        log.warning("layer %s: not in mirror %s, trying the cache", name, mirror_dir)
    cached = cache_dir() / layer.file
    if cached.is_file():
        _verify(cached, layer, name, "cache")
        return cached
    base = os.environ.get("COVERAGE_DATA_BASE_URL")
    url = f"{base.rstrip('/')}/{layer.file}" if base else layer.url
    if not url:
        raise DataSourceError(_not_found(name, layer, area_dir, mirror_dir))
    if not url.startswith(("http://", "https://")):
        msg = f"Layer {name!r}: URL {url!r} is not http(s)."
        raise DataSourceError(msg)
    _download(url, cached, layer, name)
    return cached


def _not_found(
    name: str, layer: LayerSpec, area_dir: Path | None, mirror_dir: str | os.PathLike[str] | None
) -> str:
    """Where a layer without a download was looked for, and how to supply it."""
    places = []
    if area_dir is not None:
        beside = area_dir / layer.file
        what = "a folder, not a file" if beside.is_dir() else "missing"
        places.append(f"beside the area file ({beside}: {what})")
    places.append(f"in the mirror ({Path(mirror_dir) / layer.file if mirror_dir else 'none set'})")
    places.append(f"in the cache ({cache_dir() / layer.file})")
    origin = f" It is prepared from {layer.source}." if layer.source else ""
    return (
        f"Layer {name!r} ({layer.file}) was looked for {', '.join(places)} and has no direct "
        f"download.{origin} Put the file beside the area file, point --mirror or "
        "COVERAGE_DATA_MIRROR at a folder holding it, or set COVERAGE_DATA_BASE_URL to a "
        "server that hosts the prepared files."
    )


def resolve_layers(
    area: AreaSpec, *, mirror: str | os.PathLike[str] | None = None
) -> dict[str, Path]:
    """Resolve every layer of an area with :func:`resolve_layer`; report all problems at once.

    Parameters
    ----------
    area
        The area description; files beside its TOML (``area.path``) are looked at first.
    mirror
        Mirror folder; defaults to ``$COVERAGE_DATA_MIRROR``.

    Returns
    -------
    dict[str, Path]
        The local file of each layer, by the layer's key in the area file (``dem``, ...).

    Raises
    ------
    DataSourceError
        One error listing every layer that is missing, cannot be downloaded or has another
        checksum.
    """
    area_dir = area.path.parent if area.path else None
    paths: dict[str, Path] = {}
    problems: list[str] = []
    for name, layer in area.layers.items():
        try:
            paths[name] = resolve_layer(name, layer, area_dir=area_dir, mirror=mirror)
        except DataSourceError as err:
            problems.append(str(err))
    if problems:
        msg = "Input data could not be found:\n  - " + "\n  - ".join(problems)
        raise DataSourceError(msg)
    return paths
