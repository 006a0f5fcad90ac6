"""The built-in reference platform: a real pygeoapi serving OGC API Features on a free loopback port.

pygeoapi runs from its own virtualenv (``.venv-ref``, made by ``scripts/setup-reference.sh``) under
gunicorn; this module only writes its data and configuration, starts it, waits until it answers and stops
it. Nothing is downloaded at run time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from cicclo.reference import data
from cicclo.reference.builtins import Started, one_service
from cicclo.resources import reference_home

# the folder of the server environments: the repository, or the per-user folder of `cicclo reference setup`
REPO_ROOT = reference_home()
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


class ReferencePlatformError(RuntimeError):
    pass


def find_reference_venv() -> Path:
    venv = Path(os.environ.get("CICCLO_REF_VENV", REPO_ROOT / ".venv-ref"))
    if not (venv / "bin" / "gunicorn").is_file() or not (venv / "bin" / "pygeoapi").is_file():
        raise ReferencePlatformError(
            f"pygeoapi introuvable dans {venv} : lancer `cicclo reference setup` (dépôt : scripts/setup-reference.sh)"
        )
    return venv


def listening_socket() -> socket.socket:
    """A socket listening on a free loopback port, to hand to gunicorn (``fd://``): no race for the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _collection(title: str, description: str, keywords: list[str], features: list[dict[str, Any]],
                provider: dict[str, Any]) -> dict[str, Any]:
    # No temporal extent is declared: pygeoapi 0.21 answers 400 to a valid datetime outside a declared
    # temporal extent, which would hide the datetime filtering the suite checks.
    return {
        "type": "collection",
        "title": title,
        "description": description,
        "keywords": keywords,
        "links": [],
        "extents": {"spatial": {"bbox": data.extent_of(features), "crs": CRS84}},
        "providers": [{"type": "feature", "id_field": "id", **provider}],
    }


def pygeoapi_server_settings(workdir: Path, url: str) -> dict[str, Any]:
    """The ``server`` and ``logging`` sections shared by every pygeoapi the suite starts."""
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": int(urlsplit(url).port or 80)},
            "url": url.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "gzip": False,
            "languages": ["fr-FR", "en-US"],
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 1000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
            "admin": False,
        },
        "logging": {"level": "ERROR", "logfile": str(workdir / "pygeoapi.log")},
    }


def write_configuration(workdir: Path, url: str) -> Path:
    """Write the data files and the pygeoapi configuration; returns the configuration path."""
    bornes, stations, troncons, parcelles = data.bornes(), data.stations(), data.troncons(), data.parcelles()
    data.write_geojson(workdir / "bornes.geojson", bornes)
    for name, feats in (("stations", stations), ("troncons", troncons), ("parcelles", parcelles)):
        data.write_tinydb(workdir / f"{name}.tinydb.json", feats)
    tiny = lambda name, time_field: {"name": "TinyDB", "data": str(workdir / f"{name}.tinydb.json"),  # noqa: E731
                                     "time_field": time_field}
    config = {
        **pygeoapi_server_settings(workdir, url),
        "metadata": {
            "identification": {
                "title": "Plateforme de référence cicclo",
                "description": "Données de test déterministes servies par pygeoapi pour la suite cicclo",
                "keywords": ["test", "conformité"],
                "keywords_type": "theme",
                "terms_of_service": LICENCE,
                "url": url,
            },
            "license": {"name": "Licence Ouverte 2.0", "url": LICENCE},
            "provider": {"name": "cicclo", "url": url},
            "contact": {"name": "cicclo", "email": "contact@example.org", "role": "pointOfContact"},
        },
        "resources": {
            "bornes": _collection(
                "Bornes géodésiques", "12 000 bornes (points) sans information temporelle",
                ["bornes", "géodésie"], bornes,
                {"name": "GeoJSON", "data": str(workdir / "bornes.geojson")}),
            "stations": _collection(
                "Stations de mesure de la qualité de l'air", "Points datés (date_mesure, date-heure UTC)",
                ["air", "stations"], stations, tiny("stations", "date_mesure")),
            "troncons": _collection(
                "Tronçons de route", "Lignes datées (date_maj)", ["routes", "tronçons"], troncons,
                tiny("troncons", "date_maj")),
            "parcelles": _collection(
                "Parcelles", "Polygones datés (date_creation)", ["cadastre", "parcelles"], parcelles,
                tiny("parcelles", "date_creation")),
        },
    }
    path = workdir / "pygeoapi-config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class ReferencePlatform:
    """Start/stop pygeoapi on a free loopback port with the deterministic data of :mod:`data` (or those that
    ``configure(workdir, url)`` writes, returning the configuration path)."""

    def __init__(self, workdir: Path | None = None,
                 configure: Callable[[Path, str], Path] = write_configuration) -> None:
        self._configure = configure
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="cicclo-ref-")
        self.workdir = Path(workdir or self._tmp.name)  # type: ignore[union-attr]
        self.url: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ReferencePlatform:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> str:
        """Start pygeoapi and wait until its landing page answers; returns the landing-page URL."""
        venv = find_reference_venv()
        self.workdir.mkdir(parents=True, exist_ok=True)
        sock = listening_socket()
        port = int(sock.getsockname()[1])
        url = f"http://127.0.0.1:{port}/"
        config = self._configure(self.workdir, url)
        openapi = self.workdir / "openapi.yml"
        env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi),
               "HOME": str(self.workdir)}
        log = self.workdir / "server.log"
        generated = subprocess.run(
            [str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(config), "--output-file", str(openapi)],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        if generated.returncode != 0:
            sock.close()
            raise ReferencePlatformError(f"pygeoapi openapi generate a échoué : {generated.stderr[-2000:]}")
        with sock, log.open("wb") as out:
            self._proc = subprocess.Popen(
                [str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"fd://{sock.fileno()}", "--no-control-socket",
                 "--timeout", "120", "pygeoapi.flask_app:APP"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir,
                pass_fds=(sock.fileno(),),
            )
        self._wait_ready(url, timeout, log)
        self.url = url
        return url

    def _wait_ready(self, url: str, timeout: float, log: Path) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                break
            try:
                if httpx.get(url + "collections?f=json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
        self.stop()
        raise ReferencePlatformError(f"pygeoapi ne répond pas sur {url} :\n{tail}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.url = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def start_builtin(workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Built-in ``reference``: pygeoapi serving the ``oapif`` service."""
    return one_service(ReferencePlatform(workdir), "oapif")
