"""Helpers of the CI templates (``ci/``), for images without curl: ``python -m cicclo.ci precedente``
fetches the previous publication's matrix.json, trying each address in turn; ``python -m cicclo.ci attendre``
waits until the server under test answers (a CI service container starts in the background).

An address that answers 404 has no publication (a first run); any other failure stops the job, so that a
regression gate never passes because the previous publication could not be read.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

from cicclo.cli_fr import USAGE_ERROR, FrenchArgumentParser

NO_PUBLICATION = 0
FETCH_FAILED = USAGE_ERROR


def fetch_previous(urls: list[str], out: Path, headers: dict[str, str]) -> int:
    """Write the first matrix.json found among ``urls`` to ``out``; 0 when found or when every address
    answered 404 (nothing written), FETCH_FAILED otherwise."""
    for url in urls:
        if not url.startswith(("http://", "https://")):  # e.g. $CI_PAGES_URL empty: no Pages on this instance
            print(f"adresse ignorée : {url!r}")
            continue
        try:
            response = httpx.get(url, headers=headers, follow_redirects=True, timeout=60)
        except httpx.HTTPError as exc:
            print(f"cicclo : publication précédente illisible ({url}) : {exc}", file=sys.stderr)
            return FETCH_FAILED
        if response.status_code == 404:
            print(f"pas de publication précédente à {url}")
            continue
        if response.status_code != 200:
            print(f"cicclo : publication précédente : {url} répond {response.status_code}", file=sys.stderr)
            return FETCH_FAILED
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(response.content)
        print(f"publication précédente : {url} → {out}")
        return 0
    print("aucune publication précédente : première publication, rien à comparer")
    return NO_PUBLICATION


def wait_for(url: str, timeout_s: float) -> int:
    """0 as soon as ``url`` answers any HTTP status, FETCH_FAILED when it has not within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            status = httpx.get(url, timeout=5).status_code
            print(f"{url} répond ({status})")
            return 0
        except httpx.HTTPError as exc:
            if time.monotonic() > deadline:
                print(f"cicclo : {url} ne répond pas après {timeout_s:.0f} s : {exc}", file=sys.stderr)
                return FETCH_FAILED
            time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = FrenchArgumentParser(prog="python -m cicclo.ci", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    previous = sub.add_parser("precedente", help="télécharger le matrix.json de la publication précédente")
    previous.add_argument("urls", nargs="+", metavar="URL", help="adresses essayées dans l'ordre")
    previous.add_argument("--out", type=Path, required=True, metavar="FICHIER", help="fichier écrit")
    previous.add_argument("--header", action="append", default=[], metavar="NOM:VALEUR",
                          help="en-tête HTTP ajouté (JOB-TOKEN de GitLab…)")
    wait = sub.add_parser("attendre", help="attendre que le serveur testé réponde")
    wait.add_argument("url", metavar="URL")
    wait.add_argument("--delai", type=float, default=120, metavar="SECONDES", help="attente au plus")
    args = parser.parse_args(argv)
    if args.command == "attendre":
        return wait_for(args.url, args.delai)
    headers = dict(h.split(":", 1) for h in args.header if ":" in h)
    return fetch_previous(args.urls, args.out, {k.strip(): v.strip() for k, v in headers.items()})


if __name__ == "__main__":
    raise SystemExit(main())
