"""Command line: ``cicclo run | targets | catalogue`` — a thin layer over pytest and the catalogue."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from cicclo.errors import ConfigurationError
from cicclo.model import LEVEL_LABELS_FR, Level
from cicclo.profiles import profile_state
from cicclo.targets import REPO_ROOT, Target, all_target_paths, literal_credentials, load_target

# a suite name on the command line is a folder of suites/; the metadata suite gathers four parts, each runnable alone
SUITES = {
    "oapif": "suites/oapif",
    "metadata": "suites/metadata",
    "csw": "suites/metadata/csw",
    "records": "suites/metadata/records",
    "iso19139": "suites/metadata/iso19139",
    "dcat": "suites/metadata/dcat",
    "proconnect": "suites/proconnect",
}
DEFAULT_SUITES = ("oapif", "metadata", "proconnect")
USAGE_ERROR = 2
PYTEST_USAGE_ERROR = 4
PYTEST_NO_TESTS = 5
INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
INTERRUPT_GRACE_S = 60
RUN_STATUSES = (0, 1, 3)  # what the plugin makes of a completed run (model.exit_status)
# over several targets the worst status wins: a usage error, then a FAIL, then an ERROR, then success
SEVERITY = {INTERRUPTED: 5, USAGE_ERROR: 4, 1: 3, 3: 2, 0: 1}
REPORT_FILES = ("report.html", "results.json", "junit.xml", "earl.jsonld")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"entier positif attendu : {text!r}")
    return value


def _add_help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")


def _subparser(sub: Any, name: str, summary: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=summary, add_help=False)
    _add_help(parser)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cicclo", description="Suite de conformité d'interopérabilité cicclo",
                                     add_help=False)
    _add_help(parser)
    sub = parser.add_subparsers(dest="command", required=True, title="commandes", metavar="COMMANDE")
    run = _subparser(sub, "run", "lancer les suites contre une ou plusieurs cibles")
    run.add_argument("--target", action="append", default=[], metavar="CIBLE",
                     help="nom d'une cible de targets/ ou chemin d'un fichier (répétable ; défaut : local)")
    run.add_argument("--suite", action="append", default=[], metavar="SUITE",
                     help=f"suite à lancer ({', '.join(SUITES)})")
    run.add_argument("--out", metavar="DOSSIER", help="dossier de sortie (défaut : reports/<cible>/<horodatage>)")
    run.add_argument("--max-collections", type=_positive_int, metavar="N", help="budget : collections testées au plus")
    run.add_argument("--max-pages", type=_positive_int, metavar="N", help="budget : pages suivies au plus par parcours")
    run.add_argument("--max-features", type=_positive_int, metavar="N",
                     help="budget : entités interrogées une à une au plus par collection")
    run.add_argument("--max-records", type=_positive_int, metavar="N",
                     help="budget : fiches de métadonnées vérifiées au plus")
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="sélection pytest par mot-clé")
    run.add_argument("--profile", metavar="PROFIL", help="ne lancer que les tests d'un profil (suites/profiles.yaml)")
    matrix = _subparser(sub, "matrix", "assembler la matrice cibles × tests de plusieurs campagnes")
    matrix.add_argument("results", nargs="+", type=Path, help="results.json (ou leurs dossiers)")
    matrix.add_argument("--out", type=Path, default=REPO_ROOT / "reports" / "matrix", help="dossier de sortie")
    matrix.add_argument("--shared-only", action="store_true",
                        help="accepter des catalogues différents en ne gardant que les identifiants communs")
    diff = _subparser(sub, "diff", "comparer deux campagnes ou deux matrices (statut 1 si régression)")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--json", type=Path, help="écrire la différence en JSON dans ce fichier")
    earl = _subparser(sub, "earl", "exporter une campagne en EARL (JSON-LD)")
    earl.add_argument("results", type=Path)
    earl.add_argument("--out", type=Path, help="fichier de sortie (défaut : earl.jsonld à côté)")
    targets = _subparser(sub, "targets", "lister et valider les fichiers cibles")
    targets.add_argument("names", nargs="*", metavar="CIBLE",
                         help="cibles à valider (défaut : toutes celles de targets/)")
    catalogue = _subparser(sub, "catalogue", "afficher, régénérer ou vérifier le catalogue des tests")
    group = catalogue.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="régénérer suites/catalogue.yaml")
    group.add_argument("--check", action="store_true", help="échouer si le catalogue commité n'est plus à jour")
    catalogue.add_argument("--file", type=Path, metavar="FICHIER",
                           help="fichier catalogue (défaut : suites/catalogue.yaml)")
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


def _validate_run(args: argparse.Namespace) -> list[tuple[str, Target]]:
    """Every target file, its secrets, the suites and the profile, checked before anything runs."""
    unknown = [s for s in args.suite if s not in SUITES]
    if unknown:
        raise ConfigurationError(f"suite inconnue : {', '.join(unknown)} (suites : {', '.join(SUITES)})")
    if args.profile:
        from cicclo.profiles import get_profile

        get_profile(args.profile)
    targets = []
    for name in args.target or ["local"]:
        target = load_target(name)
        target.secrets()
        targets.append((name, target))
    return targets


def _pytest_command(args: argparse.Namespace, name: str, out: Path) -> list[str]:
    folders = list(dict.fromkeys(SUITES[s] for s in args.suite or DEFAULT_SUITES))
    # a part of a suite asked for together with the whole suite is run once
    folders = [f for f in folders if not any(f.startswith(other + "/") for other in folders)]
    cmd = [sys.executable, "-m", "pytest", *folders, "--target", name,
           "--cicclo-out", str(out), "-v", "--tb=no", "-rN"]
    for option in ("max_collections", "max_pages", "max_features", "max_records"):
        if getattr(args, option) is not None:
            cmd += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    if args.keyword:
        cmd += ["-k", args.keyword]
    if args.profile:
        cmd += ["--profile", args.profile]
    return cmd


def _run_one(args: argparse.Namespace, name: str, target: Target, several: bool) -> int:
    """One pytest session against one target, in a fresh interpreter; returns the cicclo exit status."""
    out = _out_dir(args.out, target.id, several)
    print(f"== cible {target.id} : {target.name}", flush=True)
    status = _run_pytest(_pytest_command(args, name, out))
    produced = (out / "results.json").is_file()
    if produced:
        _link_latest(out, target.id)
        _print_reports(out, target.id)
    if status == INTERRUPTED:
        print(f"cicclo : {target.id} : campagne interrompue ; sorties partielles marquées complete: false, "
              "interrupted: true", file=sys.stderr)
        return INTERRUPTED
    problem = _run_problem(status, produced)
    if problem:
        print(f"cicclo : {target.id} : {problem}", file=sys.stderr)
        return USAGE_ERROR
    return status


def _run_pytest(cmd: list[str]) -> int:
    """Run the pytest child in its own process group; Ctrl-C is passed to it once, and it is given time to stop
    cleanly and write its partial outputs (a second Ctrl-C stops it at once). INTERRUPTED when interrupted."""
    child = subprocess.Popen(cmd, cwd=REPO_ROOT, process_group=0)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=INTERRUPT_GRACE_S)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            child.terminate()
            child.wait()
        return INTERRUPTED


def _run_problem(status: int, produced: bool) -> str | None:
    """Why a pytest session did not give a verdict, or None when it did."""
    if status in RUN_STATUSES and produced:
        return None
    if status == PYTEST_USAGE_ERROR:
        return "erreur d'utilisation (voir le message de pytest ci-dessus)"
    if status == PYTEST_NO_TESTS:
        return "aucun test sélectionné (voir --suite, -k, --profile)"
    if status in RUN_STATUSES:
        return f"la campagne n'a pas produit de résultats (statut pytest {status})"
    return f"la campagne s'est arrêtée (statut pytest {status})"


def _print_reports(out: Path, target_id: str) -> None:
    print(f"Rapports de {target_id} :")
    for file in REPORT_FILES:
        print(f"  {out / file}")
    _print_profile(out)


def command_run(args: argparse.Namespace) -> int:
    try:
        targets = _validate_run(args)
    except ConfigurationError as exc:
        return _error(str(exc))
    statuses = []
    for name, target in targets:
        statuses.append(_run_one(args, name, target, len(targets) > 1))
        if statuses[-1] == INTERRUPTED:
            break
    return max(statuses, key=lambda s: SEVERITY[s])


def _print_profile(out: Path) -> None:
    try:
        profile = json.loads((out / "results.json").read_text(encoding="utf-8"))["run"].get("profile")
    except (OSError, ValueError, KeyError):
        return
    if profile:
        state = profile_state(profile)
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
        for warning in literal_credentials(target):
            print(f"ATTENTION {warning}", file=sys.stderr)
        for svc in target.services.values():
            state = svc.url or (f"intégré ({svc.builtin})" if svc.builtin else f"non documenté : {svc.note}")
            print(f"{'':16s}   {svc.name:15s} {state}")
    return USAGE_ERROR if invalid else 0


def command_catalogue(args: argparse.Namespace) -> int:
    from cicclo.catalogue import CATALOGUE_PATH, CatalogueError, generate, stale_reason

    path = args.file or CATALOGUE_PATH
    if args.check:
        reason = stale_reason(path)
        if reason:
            print(f"cicclo : {reason}", file=sys.stderr)
            return 1
        print(f"{path} est à jour")
        return 0
    try:
        text = generate(path)
    except CatalogueError as exc:
        print(f"cicclo : {exc}", file=sys.stderr)
        return 1
    if args.write:
        path.write_text(text, encoding="utf-8")
        print(f"écrit : {path}")
        return 0
    import yaml

    from cicclo.catalogue import render_csv, render_html, render_markdown

    doc = yaml.safe_load(text)
    renderers = {"md": render_markdown, "html": render_html, "csv": render_csv}
    sys.stdout.write(renderers[args.format](doc) if args.format in renderers else catalogue_text(doc))
    return 0


def catalogue_text(doc: dict[str, Any]) -> str:
    """One line per ID: ID, level (DOIT/DEVRAIT), class code, French title, requirement URIs."""
    lines = []
    for test in doc["tests"]:
        code = doc["classes"].get(test["conformance_class"], {}).get("code", "?")
        status = "" if test["status"] == "stable" else f" [{test['status']}]"
        lines.append(f"{test['id']:16s} {LEVEL_LABELS_FR[Level(test['level'])]:7s} {code:7s} "
                     f"{test['title']}{status}  {' '.join(test['requirements'])}\n")
    return "".join(lines)


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
