"""Floor mode of scripts/benchmark.py: the OGC API Features suite against the network floor.

One run starts a pygeoapi with N collections × F generated features behind a loopback proxy that adds L ms to
every response, then, at the same concurrency c, runs

* a minimal crawler doing only what OGC API Features Part 1 requires (landing page, conformance, API
  definition, collections, each collection, every items page through ``next``, one feature per collection);
* the suite (``cicclo run --suite oapif``) against the same proxy;

and prints both wall times, both request counts (counted by the proxy), the ratio, CPU per request and peak RSS
of each process. Then the memory check: the suite against MapServer serving one collection of 1,000,000
points (a shapefile written here), its peak RSS compared with the 200 MB target.

    .venv/bin/python scripts/benchmark.py floor [--collections 50] [--features 200] [--latency-ms 50]
                                                [--concurrency 8] [--million-features 1000000 | --no-million]

Writes ``reports/benchmark-floor.json``. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
import yaml

from cicclo.reference import LICENCE, ReferencePlatform, pygeoapi_server_settings
from cicclo.reference.mapserver import MapServerPlatform, layer_block

ROOT = Path(__file__).resolve().parents[1]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GOALS = {"ratio": 1.3, "cpu_ms_per_request": 2.0, "million_peak_rss_mb": 200.0}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
              "content-length", "host"}
JSON_TYPES = ("application/json", "application/geo+json", "application/vnd.oai.openapi+json;version=3.0")


# -- the server: pygeoapi with generated collections ------------------------------------------------------------

def floor_features(collection: int, count: int) -> list[dict[str, Any]]:
    """``count`` deterministic points of collection number ``collection``, in metropolitan France."""
    return [{
        "type": "Feature",
        "id": f"c{collection:03d}-{i:06d}",
        "geometry": {"type": "Point", "coordinates": [round(-4.5 + (i * 7919 % 12500) / 1000, 5),
                                                      round(42.5 + (i * 104729 % 8000) / 1000, 5)]},
        "properties": {"numero": i, "collection": collection, "nom": f"point {i} de la collection {collection}"},
    } for i in range(1, count + 1)]


def floor_configure(public_url: str, collections: int, features: int) -> Callable[[Path, str], Path]:
    """A pygeoapi configuration writer (for :class:`ReferencePlatform`) whose links name ``public_url`` (the
    proxy), not pygeoapi itself."""
    def configure(workdir: Path, _url: str) -> Path:
        resources = {}
        for n in range(1, collections + 1):
            path = workdir / f"c{n:03d}.geojson"
            path.write_text(json.dumps({"type": "FeatureCollection", "features": floor_features(n, features)}),
                            encoding="utf-8")
            resources[f"c{n:03d}"] = {
                "type": "collection", "title": f"Collection {n}", "description": f"{features} points générés",
                "keywords": ["banc"], "links": [],
                "extents": {"spatial": {"bbox": [-4.5, 42.5, 8.0, 50.5], "crs": CRS84}},
                "providers": [{"type": "feature", "name": "GeoJSON", "data": str(path), "id_field": "id"}],
            }
        config = {
            **pygeoapi_server_settings(workdir, public_url),
            "metadata": {
                "identification": {"title": "Banc plancher cicclo", "description": "Collections générées",
                                   "keywords": ["banc"], "keywords_type": "theme", "terms_of_service": LICENCE,
                                   "url": public_url},
                "license": {"name": "Licence Ouverte 2.0", "url": LICENCE},
                "provider": {"name": "cicclo", "url": public_url},
                "contact": {"name": "cicclo", "email": "contact@example.org", "role": "pointOfContact"},
            },
            "resources": resources,
        }
        out = workdir / "pygeoapi-config.yml"
        out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return out
    return configure


# -- the proxy: L ms per response, every request counted ---------------------------------------------------------

class LatencyProxy(ThreadingHTTPServer):
    """A loopback reverse proxy (GET/HEAD) that waits ``latency_s`` before each response and counts requests.
    Its port is taken at once, so that the upstream can name it in its links; set :attr:`upstream` before
    serving."""

    daemon_threads = True

    def __init__(self, latency_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlsplit("http://127.0.0.1/")
        self.latency_s = latency_s
        self.requests = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def count(self) -> None:
        with self._lock:
            self.requests += 1

    def upstream_connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1",
                                                                 self.upstream.port, timeout=120)
        return conn

    def reset_upstream(self) -> None:
        self._local.conn = None


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LatencyProxy

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._forward()

    def do_HEAD(self) -> None:  # noqa: N802
        self._forward()

    def _forward(self) -> None:
        self.server.count()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        for attempt in (1, 2):  # a kept-alive upstream connection may have been closed by gunicorn
            conn = self.server.upstream_connection()
            try:
                conn.request(self.command, self.path, headers=headers)
                answer = conn.getresponse()
                body = answer.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self.server.reset_upstream()
                if attempt == 2:
                    raise
        time.sleep(self.server.latency_s)
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


# -- the minimal crawler (run as its own process: ``benchmark.py floor crawl URL --concurrency c``) ----------------

def _link(doc: dict[str, Any], rels: tuple[str, ...], base: str) -> str | None:
    """The first link of ``doc`` with one of ``rels`` and a JSON media type (or none declared)."""
    for link in doc.get("links", []):
        if link.get("rel") in rels and (not link.get("type") or link["type"] in JSON_TYPES):
            return urljoin(base, link["href"])
    return None


def crawl(root: str, concurrency: int) -> dict[str, Any]:
    """Fetch what Part 1 requires, once each; returns the number of requests and the wall time."""
    started = time.monotonic()
    count = 0
    lock = threading.Lock()
    client = httpx.Client(timeout=120, limits=httpx.Limits(max_connections=concurrency))

    def get(url: str, accept: str = "application/json") -> dict[str, Any]:
        nonlocal count
        with lock:
            count += 1
        answer = client.get(url, headers={"Accept": accept})
        answer.raise_for_status()
        doc: dict[str, Any] = answer.json()
        return doc

    def walk(collection_url: str) -> None:
        collection = get(collection_url)
        items = _link(collection, ("items",), collection_url)
        first_id = None
        while items:
            page = get(items, "application/geo+json")
            if first_id is None and page.get("features"):
                first_id = page["features"][0].get("id")
                feature_url = items.split("?")[0] + "/" + quote(str(first_id), safe="")
            items = _link(page, ("next",), items)
        if first_id is not None:
            get(feature_url, "application/geo+json")

    landing = get(root)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        conformance = _link(landing, ("conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance"), root)
        definition = _link(landing, ("service-desc",), root)
        data_url = _link(landing, ("data", "http://www.opengis.net/def/rel/ogc/1.0/data"), root)
        side: list[Future[Any]] = [pool.submit(get, url) for url in (conformance, definition) if url]
        collections = get(data_url or urljoin(root, "collections"))
        base = data_url or urljoin(root, "collections")
        urls = [_link(c, ("self",), base) or f"{base.split('?')[0]}/{quote(c['id'], safe='')}"
                for c in collections.get("collections", [])]
        side += [pool.submit(walk, url) for url in urls]
        for future in side:
            future.result()
    return {"requests": count, "wall_s": time.monotonic() - started, "collections": len(urls)}


# -- measuring a process ----------------------------------------------------------------------------------------

def measured(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd``; its wall time, CPU time (user + system) and peak RSS, from wait4()."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": time.monotonic() - started, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "exit": proc.returncode,
            "output": output.decode("utf-8", "replace")}


def suite_run(url: str, concurrency: int, workdir: Path, name: str) -> dict[str, Any]:
    """``cicclo run --suite oapif`` against ``url`` at ``concurrency``; adds the run's own statistics."""
    target = workdir / f"{name}.yaml"
    target.write_text(yaml.safe_dump({
        "id": name, "name": f"Banc plancher ({name})", "services": {"oapif": {"url": url}},
        "limits": {"concurrency": concurrency, "read_timeout_s": 120},
    }, allow_unicode=True), encoding="utf-8")
    out = workdir / f"{name}-out"
    run = measured([sys.executable, "-m", "cicclo", "run", "--target", str(target), "--suite", "oapif",
                    "--out", str(out)])
    results = out / "results.json"
    if not results.exists():
        raise SystemExit(f"la suite n'a pas écrit {results} :\n{run['output'][-3000:]}")
    stats = json.loads(results.read_text(encoding="utf-8"))["run"]["stats"]
    run.update(suite_requests=stats["requests"], cache_hits=stats["cache_hits"], suite_wall_s=stats["wall_s"])
    return run


# -- the 1,000,000-feature collection (MapServer, shapefile) ------------------------------------------------------

def write_point_shapefile(base: Path, count: int) -> list[float]:
    """``base``.shp/.shx/.dbf: ``count`` points on a grid over metropolitan France, fields id and numero."""
    side = int(count ** 0.5) + 1
    xs = [-4.5 + 12.5 * (i % side) / side for i in range(count)]
    ys = [42.5 + 8.0 * (i // side) / side for i in range(count)]
    extent = [min(xs), min(ys), max(xs), max(ys)]

    def header(words: int) -> bytes:
        return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, words) + struct.pack("<2i", 1000, 1)
                + struct.pack("<4d", *extent) + struct.pack("<4d", 0, 0, 0, 0))

    with open(base.with_suffix(".shp"), "wb") as shp, open(base.with_suffix(".shx"), "wb") as shx:
        shp.write(header(50 + 14 * count))
        shx.write(header(50 + 4 * count))
        index = struct.Struct(">2i")
        for i in range(count):
            shp.write(struct.pack(">2i", i + 1, 10) + struct.pack("<i2d", 1, xs[i], ys[i]))
            shx.write(index.pack(50 + 14 * i, 10))
    fields = [(b"id", b"C", 12), (b"numero", b"N", 9)]
    size = 1 + sum(length for _, _, length in fields)
    with open(base.with_suffix(".dbf"), "wb") as dbf:
        dbf.write(struct.pack("<4BIHH20x", 3, 126, 1, 1, count, 32 + 32 * len(fields) + 1, size))
        for name, kind, length in fields:
            dbf.write(struct.pack("<11sc4xBB14x", name, kind, length, 0))
        dbf.write(b"\r")
        for i in range(1, count + 1):
            dbf.write(b" " + f"pt-{i:07d}".ljust(12).encode() + str(i).rjust(9).encode())
        dbf.write(b"\x1a")
    return extent


def million_layers(count: int) -> Callable[[Path], str]:
    def layers(folder: Path) -> str:
        base = folder / "million"
        extent = write_point_shapefile(base, count)
        subprocess.run(["shptree", str(base.with_suffix(".shp"))], capture_output=True, check=False)
        return layer_block("million", f"{count} points", f"{count} points générés sur une grille", ["banc"],
                           "POINT", f'    DATA {json.dumps(str(base))}', {"id": "Character", "numero": "Integer"},
                           extent, "^pt-[0-9]+$")
    return layers


# -- the floor run --------------------------------------------------------------------------------------------------

def floor(args: argparse.Namespace) -> int:
    report: dict[str, Any] = {"parameters": {k: v for k, v in vars(args).items() if k != "func"}, "goals": GOALS}
    with tempfile.TemporaryDirectory(prefix="cicclo-floor-") as tmp:
        workdir = Path(tmp)
        proxy = LatencyProxy(args.latency_ms / 1000)
        public_url = proxy.url
        started = time.monotonic()
        platform = ReferencePlatform(workdir / "pygeoapi",
                                     floor_configure(public_url, args.collections, args.features))
        with platform:
            assert platform.url is not None
            print(f"pygeoapi : {args.collections} collections × {args.features} entités, prêt en "
                  f"{time.monotonic() - started:.1f} s ; proxy +{args.latency_ms:g} ms, concurrence {args.concurrency}",
                  flush=True)
            proxy.upstream = urlsplit(platform.url)
            with _serving(proxy):
                crawler = measured([sys.executable, __file__, "crawl", public_url,
                                    "--concurrency", str(args.concurrency)])
                if crawler["exit"] != 0:
                    raise SystemExit(f"le robot a échoué :\n{crawler['output'][-3000:]}")
                crawler.update(json.loads(crawler["output"].strip().splitlines()[-1]))
                crawler["requests"] = proxy.requests
                proxy.requests = 0
                suite = suite_run(public_url, args.concurrency, workdir, "floor")
                suite["requests"] = proxy.requests
        for run in (crawler, suite):
            run["cpu_ms_per_request"] = 1000 * run["cpu_s"] / max(run["requests"], 1)
            run.pop("output", None)
        report.update(crawler=crawler, suite=suite, ratio=suite["wall_s"] / crawler["wall_s"],
                      request_ratio=suite["requests"] / crawler["requests"])
        print_floor(report)
        if args.million_features:
            report["million"] = million_check(workdir / "million", args.million_features, args.concurrency)
    return finish(report)


@contextmanager
def _serving(proxy: LatencyProxy) -> Iterator[None]:
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        proxy.shutdown()
        proxy.server_close()


def million_check(workdir: Path, count: int, concurrency: int) -> dict[str, Any]:
    """The suite against MapServer serving one collection of ``count`` points: its peak RSS."""
    started = time.monotonic()
    platform = MapServerPlatform(workdir, million_layers(count), max_limit=10_000)
    url = platform.start(timeout=120)
    try:
        print(f"MapServer : 1 collection de {count} points, prête en {time.monotonic() - started:.1f} s", flush=True)
        run = suite_run(url, concurrency, workdir, "million")
    finally:
        platform.stop()
    run.pop("output", None)
    run["features"] = count
    return run


def print_floor(report: dict[str, Any]) -> None:
    crawler, suite = report["crawler"], report["suite"]
    print(f"{'mesure':28s} {'robot':>10s} {'suite':>10s}")
    for key, fmt in (("wall_s", "{:10.1f}"), ("requests", "{:10d}"), ("cpu_s", "{:10.1f}"),
                     ("cpu_ms_per_request", "{:10.1f}"), ("peak_rss_mb", "{:10.0f}")):
        print(f"{key:28s} {fmt.format(crawler[key])} {fmt.format(suite[key])}")
    print(f"{'ratio des durées (suite/robot)':28s} {report['ratio']:10.2f}   objectif ≤ {GOALS['ratio']}")
    print(f"{'ratio des requêtes':28s} {report['request_ratio']:10.2f}", flush=True)


def finish(report: dict[str, Any]) -> int:
    """Print the memory check, write the report; 1 when a goal is missed."""
    missed = [k for k, value in (("ratio", report["ratio"]),
                                 ("cpu_ms_per_request", report["suite"]["cpu_ms_per_request"]))
              if value > GOALS[k]]
    million = report.get("million")
    if million:
        print(f"{million['features']} entités (MapServer) : suite {million['wall_s']:.0f} s, "
              f"{million['suite_requests']} requêtes, pic RSS {million['peak_rss_mb']:.0f} Mo   "
              f"objectif ≤ {GOALS['million_peak_rss_mb']:g} Mo")
        if million["peak_rss_mb"] > GOALS["million_peak_rss_mb"]:
            missed.append("million_peak_rss_mb")
    report["missed"] = missed
    out = ROOT / "reports" / "benchmark-floor.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"objectifs manqués : {', '.join(missed) or 'aucun'}\nécrit : {out}")
    return 1 if missed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmark.py floor", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    crawl_cmd = sub.add_parser("crawl", help="le robot minimal seul (processus mesuré par le mode floor)")
    crawl_cmd.add_argument("url")
    crawl_cmd.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--collections", type=int, default=50)
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--million-features", type=int, default=1_000_000,
                        help="taille de la collection du contrôle mémoire (0 : pas de contrôle)")
    parser.add_argument("--no-million", dest="million_features", action="store_const", const=0)
    args = parser.parse_args(argv)
    if args.command == "crawl":
        print(json.dumps(crawl(args.url, args.concurrency)))
        return 0
    return floor(args)


if __name__ == "__main__":  # ``benchmark.py floor crawl …`` re-enters here through benchmark.py
    raise SystemExit(main(sys.argv[1:]))
