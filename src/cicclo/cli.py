"""Command line: ``cicclo run | targets | catalogue`` — a thin layer over pytest and the catalogue."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from cicclo.errors import ConfigurationError
from cicclo.model import LEVEL_LABELS_FR, Level
from cicclo.targets import REPO_ROOT, all_target_paths, load_target

SUITES = {"oapif": "suites/oapif"}
USAGE_ERROR = 2
PYTEST_USAGE_ERROR = 4
# worst first: a FAIL outweighs an ERROR, which outweighs success
SEVERITY = {1: 3, 3: 2, 0: 1}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cicclo", description="Suite de conformité d'interopérabilité cicclo")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="lancer les suites contre une ou plusieurs cibles")
    run.add_argument("--target", action="append", default=[],
                     help="nom d'une cible de targets/ ou chemin d'un fichier (répétable ; défaut : local)")
    run.add_argument("--suite", action="append", default=[], help=f"suite à lancer ({', '.join(SUITES)})")
    run.add_argument("--out", help="dossier de sortie (défaut : reports/<cible>/<horodatage>)")
    run.add_argument("--max-collections", type=int)
    run.add_argument("--max-pages", type=int)
    run.add_argument("--max-features", type=int)
    run.add_argument("-k", dest="keyword", help="sélection pytest par mot-clé")
    run.add_argument("--profile", help="ne lancer que les tests d'un profil (suites/profiles.yaml)")
    matrix = sub.add_parser("matrix", help="assembler la matrice cibles × tests de plusieurs campagnes")
    matrix.add_argument("results", nargs="+", type=Path, help="results.json (ou leurs dossiers)")
    matrix.add_argument("--out", type=Path, default=REPO_ROOT / "reports" / "matrix", help="dossier de sortie")
    matrix.add_argument("--shared-only", action="store_true",
                        help="accepter des catalogues différents en ne gardant que les identifiants communs")
    diff = sub.add_parser("diff", help="comparer deux campagnes ou deux matrices (statut 1 si régression)")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--json", type=Path, help="écrire la différence en JSON dans ce fichier")
    earl = sub.add_parser("earl", help="exporter une campagne en EARL (JSON-LD)")
    earl.add_argument("results", type=Path)
    earl.add_argument("--out", type=Path, help="fichier de sortie (défaut : earl.jsonld à côté)")
    targets = sub.add_parser("targets", help="lister et valider les fichiers cibles")
    targets.add_argument("names", nargs="*", help="cibles à valider (défaut : toutes celles de targets/)")
    catalogue = sub.add_parser("catalogue", help="afficher, régénérer ou vérifier le catalogue des tests")
    group = catalogue.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="régénérer suites/catalogue.yaml")
    group.add_argument("--check", action="store_true", help="échouer si le catalogue commité n'est plus à jour")
    catalogue.add_argument("--format", choices=["text", "md", "html", "csv"], default="text",
                           help="présentation pour les personnes (md, html, csv) ; clausier CCTP inclus")
    return parser


def _error(message: str) -> int:
    print(f"cicclo : {message}", file=sys.stderr)
    return USAGE_ERROR


def _out_dir(base: str | None, target_id: str, several: bool) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if base:
        return Path(base) / target_id if several else Path(base)
    return REPO_ROOT / "reports" / target_id / stamp


def _link_latest(out: Path, target_id: str) -> None:
    latest = REPO_ROOT / "reports" / target_id / "latest"
    if out.parent == latest.parent:
        tmp = latest.with_name(".latest.tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(out.name)
        os.replace(tmp, latest)


def command_run(args: argparse.Namespace) -> int:
    names = args.target or ["local"]
    unknown = [s for s in args.suite if s not in SUITES]
    if unknown:
        return _error(f"suite inconnue : {', '.join(unknown)} (suites : {', '.join(SUITES)})")
    try:
        targets = [load_target(name) for name in names]
        if args.profile:
            from cicclo.profiles import get_profile

            get_profile(args.profile)
    except ConfigurationError as exc:
        return _error(str(exc))
    paths = [SUITES[s] for s in (args.suite or list(SUITES))]
    worst = 0
    for name, target in zip(names, targets, strict=True):
        out = _out_dir(args.out, target.id, len(targets) > 1)
        cmd = [sys.executable, "-m", "pytest", *paths, "--target", name, "--cicclo-out", str(out), "-v",
               "--tb=no", "-rN"]
        for opt in ("max_collections", "max_pages", "max_features"):
            if getattr(args, opt) is not None:
                cmd += [f"--{opt.replace('_', '-')}", str(getattr(args, opt))]
        if args.keyword:
            cmd += ["-k", args.keyword]
        if args.profile:
            cmd += ["--profile", args.profile]
        print(f"== cible {target.id} : {target.name}", flush=True)
        status = subprocess.call(cmd, cwd=REPO_ROOT)
        if status == PYTEST_USAGE_ERROR:
            return USAGE_ERROR
        if status not in SEVERITY:
            return _error(f"la campagne de {target.id} s'est arrêtée (statut pytest {status})")
        _link_latest(out, target.id)
        print(f"Rapports de {target.id} :")
        for file in ("report.html", "results.json", "junit.xml", "earl.jsonld"):
            print(f"  {out / file}")
        _print_profile(out)
        worst = max(worst, status, key=lambda s: SEVERITY[s])
    return worst


def _print_profile(out: Path) -> None:
    try:
        profile = json.loads((out / "results.json").read_text(encoding="utf-8"))["run"].get("profile")
    except (OSError, ValueError, KeyError):
        return
    if profile:
        state = "ATTEINT" if profile["met"] else "INCOMPLET" if not profile["complete"] else "NON ATTEINT"
        print(f"Profil {profile['name']} version {profile['version']} : {state}")
        if profile["failing"]:
            print(f"  en échec : {', '.join(profile['failing'])}")
        if profile["not_run"]:
            print(f"  non testés (profil incomplet) : {', '.join(profile['not_run'])}")


def command_targets(args: argparse.Namespace) -> int:
    names = args.names or [str(p) for p in all_target_paths()]
    invalid = 0
    for name in names:
        try:
            target = load_target(name)
        except ConfigurationError as exc:
            print(f"INVALIDE {exc}", file=sys.stderr)
            invalid += 1
            continue
        print(f"{target.id:16s} {target.name}")
        for svc in target.services.values():
            state = svc.url or (f"intégré ({svc.builtin})" if svc.builtin else f"non documenté : {svc.note}")
            print(f"{'':16s}   {svc.name:15s} {state}")
    return USAGE_ERROR if invalid else 0


def command_catalogue(args: argparse.Namespace) -> int:
    from cicclo.catalogue import CATALOGUE_PATH, CatalogueError, generate, stale_reason

    if args.check:
        reason = stale_reason()
        if reason:
            print(f"cicclo : {reason}", file=sys.stderr)
            return 1
        print(f"{CATALOGUE_PATH} est à jour")
        return 0
    try:
        text = generate()
    except CatalogueError as exc:
        print(f"cicclo : {exc}", file=sys.stderr)
        return 1
    if args.write:
        CATALOGUE_PATH.write_text(text, encoding="utf-8")
        print(f"écrit : {CATALOGUE_PATH}")
        return 0
    import yaml

    from cicclo.catalogue import render_csv, render_html, render_markdown

    doc = yaml.safe_load(text)
    renderers = {"md": render_markdown, "html": render_html, "csv": render_csv}
    if args.format in renderers:
        sys.stdout.write(renderers[args.format](doc))
        return 0
    classes = doc["classes"]
    for test in doc["tests"]:
        code = classes.get(test["conformance_class"], {}).get("code", "?")
        status = "" if test["status"] == "stable" else f" [{test['status']}]"
        print(f"{test['id']:18s} {LEVEL_LABELS_FR[Level(test['level'])]:7s} {code:8s} {test['title']}{status}")
        for uri in test["requirements"]:
            print(f"{'':35s}{uri}")
    return 0


def command_matrix(args: argparse.Namespace) -> int:
    from cicclo.matrix import MatrixError, build, load_run, write

    try:
        matrix = build([load_run(p) for p in args.results], shared_only=args.shared_only)
    except MatrixError as exc:
        return _error(str(exc))
    for path in write(matrix, args.out):
        print(f"écrit : {path}")
    return 0


def command_diff(args: argparse.Namespace) -> int:
    from cicclo.diff import diff, render_text, statuses_of
    from cicclo.matrix import MatrixError

    try:
        result = diff(statuses_of(args.old), statuses_of(args.new))
    except MatrixError as exc:
        return _error(str(exc))
    print(render_text(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"écrit : {args.json}")
    return 1 if result["regressions"] else 0


def command_earl(args: argparse.Namespace) -> int:
    from cicclo.matrix import MatrixError, load_run
    from cicclo.reporters.earl import to_earl

    try:
        run = load_run(args.results)
    except MatrixError as exc:
        return _error(str(exc))
    out = args.out or run.path.parent / "earl.jsonld"
    out.write_text(json.dumps(to_earl(run.doc), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"écrit : {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {"run": command_run, "targets": command_targets, "catalogue": command_catalogue,
               "matrix": command_matrix, "diff": command_diff, "earl": command_earl}[args.command]
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
