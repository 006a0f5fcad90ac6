"""Built-in ``mapserver``: MapServer 8 (Debian) serving OGC API Features on a free loopback port.

The second real implementation of the suite's own tests, on the same deterministic data as pygeoapi
(:mod:`cicclo.reference.data`). Pieces (installed by ``scripts/setup-mapserver.sh``; nothing is downloaded at
run time): ``mapserv`` (package ``cgi-mapserver``) run as a FastCGI application by a standalone Apache 2.4 with
mod_fcgid (``apache2 -f httpd.conf -DFOREGROUND`` in its own process group), and the OGC API HTML templates of
``mapserver-bin``. This module writes the GeoJSON data, a mapfile with the OGC API enabled
(``oga_enable_request``, ``oga_onlineresource``, ``oga_compliance_mode``), MapServer's configuration file
(``MAPSERVER_CONFIG_FILE``, map alias ``reference``) and Apache's; starts Apache, waits until the landing page answers
and stops it. The landing page is ``http://127.0.0.1:PORT/mapserv/reference/ogcapi``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from cicclo.reference import LICENCE, data, free_port
from cicclo.reference.apache import APACHE, APACHE_MODULES, server_preamble
from cicclo.reference.builtins import Started, one_service

MAPSERV = Path(os.environ.get("CICCLO_MAPSERV", "/usr/lib/cgi-bin/mapserv"))
TEMPLATES = Path(os.environ.get("CICCLO_MAPSERVER_TEMPLATES", "/usr/share/mapserver/ogcapi/templates/html-plain"))
SETUP_HINT = "lancer `bash scripts/setup-mapserver.sh` (ou scripts/setup.sh)"
MAP_ALIAS = "reference"
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

# collection id -> (title, description, keywords, geometry type, features)
COLLECTIONS: dict[str, tuple[str, str, list[str], str, Any]] = {
    "bornes": ("Bornes géodésiques", "12 000 bornes (points) sans information temporelle", ["bornes", "géodésie"],
               "POINT", data.bornes),
    "stations": ("Stations de mesure de la qualité de l'air", "Points datés (date_mesure, date-heure UTC)",
                 ["air", "stations"], "POINT", data.stations),
    "troncons": ("Tronçons de route", "Lignes datées (date_maj)", ["routes", "tronçons"], "LINE", data.troncons),
    "parcelles": ("Parcelles", "Polygones datés (date_creation)", ["cadastre", "parcelles"], "POLYGON",
                  data.parcelles),
}


class MapServerError(RuntimeError):
    pass


def _quote(text: str) -> str:
    """A mapfile string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def property_types(features: list[dict[str, Any]]) -> dict[str, str]:
    """gml_*_type of each property (Integer, Real, Character) so that GeoJSON keeps its numbers."""
    types: dict[str, str] = {}
    for name, value in features[0]["properties"].items():
        types[name] = ("Integer" if isinstance(value, int) else "Real" if isinstance(value, float)
                       else "Character")
    return types


def layer_block(name: str, title: str, description: str, keywords: list[str], geometry: str, source: str,
                types: Mapping[str, str], extent: list[float], id_pattern: str) -> str:
    """One mapfile LAYER published as a collection: ``source`` holds its data lines (DATA, CONNECTION…),
    ``types`` the gml type of each property, ``id_pattern`` the validation of the feature ids."""
    meta = {
        "oga_title": title,
        "oga_description": description,
        "oga_keywords": ",".join(keywords),
        "gml_include_items": ",".join(types),
        "gml_featureid": "id",
        **{f"gml_{item}_type": kind for item, kind in types.items()},
    }
    metadata = "\n".join(f"      {_quote(k)} {_quote(v)}" for k, v in meta.items())
    return f"""  LAYER
    NAME {_quote(name)}
    TYPE {geometry}
    STATUS OFF
{source}
    PROJECTION "init=epsg:4326" END
    EXTENT {" ".join(str(v) for v in extent)}
    TEMPLATE "VOID"
    METADATA
{metadata}
    END
    VALIDATION
      "id" {_quote(id_pattern)}
    END
  END
"""


def _reference_layers(folder: Path) -> str:
    """The collections of the reference data, each from a GeoJSON file read through OGR."""
    blocks = []
    for name, (title, description, keywords, geometry, make) in COLLECTIONS.items():
        features = make()
        geojson = folder / f"{name}.geojson"
        data.write_geojson(geojson, features)
        source = f'    CONNECTIONTYPE OGR\n    CONNECTION {_quote(str(geojson))}\n    DATA "0"'
        blocks.append(layer_block(name, title, description, keywords, geometry, source, property_types(features),
                                  data.extent_of(features), "^[a-z]+-[0-9]+$"))
    return "".join(blocks)


def write_mapfile(folder: Path, api_root: str, layers: Callable[[Path], str] = _reference_layers,
                  max_limit: int = MAX_LIMIT) -> Path:
    """The data (written by ``layers``, which returns the LAYER blocks) and the mapfile serving them through
    the OGC API at ``api_root``, pages of at most ``max_limit`` features."""
    blocks = layers(folder)
    web = {
        "oga_enable_request": "OGCAPI",
        "oga_onlineresource": api_root,
        "oga_html_template_directory": f"{TEMPLATES}/",
        "oga_title": "Plateforme de référence cicclo (MapServer)",
        "oga_description": "Données de test déterministes servies par MapServer pour la suite cicclo",
        "oga_keywords": "test,conformité",
        "oga_termsofservice": LICENCE,
        "oga_contactperson": "cicclo",
        "oga_contactelectronicmailaddress": "contact@example.org",
        "oga_default_limit": str(DEFAULT_LIMIT),
        "oga_max_limit": str(max_limit),
        "oga_compliance_mode": "true",
    }
    metadata = "\n".join(f"      {_quote(k)} {_quote(v)}" for k, v in web.items())
    mapfile = f"""MAP
  NAME {_quote(MAP_ALIAS)}
  EXTENT {data.LON[0]} {data.LAT[0]} {data.LON[1]} {data.LAT[1]}
  SIZE 800 800
  UNITS DD
  PROJECTION "init=epsg:4326" END
  WEB
    METADATA
{metadata}
    END
  END
{blocks}END
"""
    path = folder / f"{MAP_ALIAS}.map"
    path.write_text(mapfile, encoding="utf-8")
    return path


def write_mapserver_config(folder: Path, mapfile: Path) -> Path:
    """MapServer 8's configuration file (``MAPSERVER_CONFIG_FILE``): the map alias, no other map path accepted."""
    path = folder / "mapserver.conf"
    path.write_text(f"""CONFIG
  ENV
    MS_MAP_NO_PATH "1"
    MS_ERRORFILE "stderr"
  END
  MAPS
    {_quote(MAP_ALIAS)} {_quote(str(mapfile))}
  END
END
""", encoding="utf-8")
    return path


def write_apache_config(workdir: Path, public: Path, port: int, ms_config: Path) -> Path:
    """A standalone Apache running ``mapserv`` under mod_fcgid at ``/mapserv``."""
    run = public / "run"
    conf = server_preamble("MapServer OGC API Features", workdir, port, run,
                           ["mpm_event", "authz_core", "alias", "mime", "fcgid"],
                           log_format='%h %t \\"%r\\" %>s %b %D') + f"""DocumentRoot "{public / 'htdocs'}"
FcgidIPCDir "{run / 'fcgid'}"
FcgidProcessTableFile "{run / 'fcgid_shm'}"
FcgidInitialEnv MAPSERVER_CONFIG_FILE "{ms_config}"
FcgidMaxProcesses 4
FcgidMinProcessesPerClass 0
FcgidMaxProcessesPerClass 4
FcgidIOTimeout 120
FcgidMaxRequestLen 1048576
ScriptAlias /mapserv "{MAPSERV}"
<Location /mapserv>
  SetHandler fcgid-script
  Options +ExecCGI
  Require all granted
</Location>
<Directory "{public / 'htdocs'}">
  Require all granted
</Directory>
"""
    path = workdir / "httpd.conf"
    path.write_text(conf, encoding="utf-8")
    return path


def _stop_group(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""


class MapServerPlatform:
    """Start/stop Apache + mod_fcgid + MapServer on a free loopback port with the data of :mod:`data`."""

    def __init__(self, workdir: Path, layers: Callable[[Path], str] = _reference_layers,
                 max_limit: int = MAX_LIMIT) -> None:
        self.workdir = Path(workdir)
        self._layers = layers
        self._max_limit = max_limit
        self.url: str | None = None
        self._public: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _require_installed() -> None:
        needed = [Path(APACHE), APACHE_MODULES / "mod_fcgid.so", MAPSERV, TEMPLATES / "landing.html"]
        missing = [str(p) for p in needed if not p.is_file()]
        if missing:
            raise MapServerError(f"MapServer ou Apache mod_fcgid introuvable ({', '.join(missing)}) : {SETUP_HINT}")

    def start(self, timeout: float = 30.0) -> str:
        """Write data and configuration, start Apache; returns the landing-page URL once it answers."""
        self._require_installed()
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        # Apache's children (and so mapserv) run as www-data when started as root: they read a public folder.
        self._public = Path(tempfile.mkdtemp(prefix="cicclo-mapserver-"))
        for sub in ("", "htdocs", "run", "run/fcgid", "data"):
            (self._public / sub).mkdir(exist_ok=True)
            (self._public / sub).chmod(0o755)
        if os.geteuid() == 0:
            for sub in ("run", "run/fcgid"):
                shutil.chown(self._public / sub, "www-data", "www-data")
        port = free_port()
        url = f"http://127.0.0.1:{port}/mapserv/{MAP_ALIAS}/ogcapi"
        folder = self._public / "data"
        ms_config = write_mapserver_config(folder, write_mapfile(folder, url, self._layers, self._max_limit))
        conf = write_apache_config(self.workdir, self._public, port, ms_config)
        log = self.workdir / "logs" / "apache.out"
        with log.open("wb") as out:
            self._proc = subprocess.Popen([APACHE, "-f", str(conf), "-DFOREGROUND"], stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._proc.poll() is None:
            try:
                answer = httpx.get(f"{url}/collections?f=json", timeout=5)
                # MapServer reports its errors (configuration, mapfile) as a 200 HTML page.
                if answer.status_code == 200 and answer.headers.get("content-type", "").startswith(
                        "application/json"):
                    self.url = url
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        tail = _tail(self.workdir / "logs" / "error.log") + _tail(log)
        self.stop()
        raise MapServerError(f"MapServer ne répond pas sur {url} :\n{tail}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        _stop_group(proc)
        if self._public is not None:
            shutil.rmtree(self._public, ignore_errors=True)
            self._public = None
        self.url = None


def start_builtin(workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Built-in ``mapserver``: MapServer serving the ``oapif`` service."""
    return one_service(MapServerPlatform(workdir), "oapif")
