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
from typing import TYPE_CHECKING, Any

from cicclo import __version__
from cicclo.cli_fr import USAGE_ERROR, FrenchArgumentParser, FrenchHelpFormatter
from cicclo.errors import ConfigurationError
from cicclo.model import LEVEL_LABELS_FR, Level
from cicclo.resources import REPOSITORY, SUITES_DIR

if TYPE_CHECKING:  # targets and profiles are imported where used: `cicclo validate` stays a small process
    from cicclo.targets import Target

# a suite name on the command line is a folder of suites/; the metadata suite gathers four parts, each runnable alone
SUITES = {
    "oapif": "oapif",
    "metadata": "metadata",
    "csw": "metadata/csw",
    "records": "metadata/records",
    "iso19139": "metadata/iso19139",
    "dcat": "metadata/dcat",
    "proconnect": "proconnect",
}
DEFAULT_SUITES = ("oapif", "metadata", "proconnect")
# exit statuses, the same for `cicclo run` and `pytest` (model.exit_status; pytest's own are kept as they are):
# 0 success, 1 a MUST FAIL, 2 interrupted, 3 internal error, 4 usage error, 5 nothing selected, 6 ERROR only
PYTEST_INTERRUPTED = 2
PYTEST_INTERNAL_ERROR = 3
PYTEST_NO_TESTS = 5
INTERRUPTED = 130  # `cicclo run` stopped by Ctrl-C: 128 + SIGINT, as shells report it (pytest itself says 2)
INTERRUPT_GRACE_S = 60
RUN_STATUSES = (0, 1, 6)  # what the plugin makes of a completed run
# over several targets the worst status wins: a broken run, then a FAIL, then an ERROR, then success
SEVERITY = {INTERRUPTED: 8, PYTEST_INTERNAL_ERROR: 7, PYTEST_INTERRUPTED: 6, USAGE_ERROR: 5, PYTEST_NO_TESTS: 4, 1: 3,
            6: 2, 0: 1}
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
    parser: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=summary, add_help=False,
                                                     formatter_class=FrenchHelpFormatter)
    _add_help(parser)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(prog="cicclo", description="Suite de conformité d'interopérabilité cicclo",
                                  add_help=False, formatter_class=FrenchHelpFormatter,
                                  epilog="Statuts de sortie : 0 réussite, 1 FAIL d'un test DOIT, 2 interrompu, "
                                         "3 erreur interne, 4 erreur d'usage ou de configuration, 5 aucun test "
                                         "sélectionné, 6 aucun FAIL mais au moins une ERROR.")
    _add_help(parser)
    parser.add_argument("--version", action="version", version=f"cicclo {__version__}",
                        help="afficher la version et quitter")
    sub = parser.add_subparsers(dest="command", required=True, title="commandes", metavar="COMMANDE")
    run = _subparser(sub, "run", "lancer les suites contre une ou plusieurs cibles")
    run.add_argument("--target", action="append", default=[], metavar="CIBLE",
                     help="nom d'une cible de targets/ ou chemin d'un fichier (répétable ; défaut : local)")
    run.add_argument("--suite", action="append", default=[], metavar="SUITE",
                     help=f"suite à lancer ({', '.join(SUITES)} ; répétable ; défaut : {', '.join(DEFAULT_SUITES)})")
    run.add_argument("--out", metavar="DOSSIER", help="dossier de sortie (défaut : ./reports/<cible>/<horodatage>)")
    run.add_argument("--max-collections", type=_positive_int, metavar="N", help="budget : collections testées au plus")
    run.add_argument("--max-pages", type=_positive_int, metavar="N", help="budget : pages suivies au plus par parcours")
    run.add_argument("--max-features", type=_positive_int, metavar="N",
                     help="budget : entités interrogées une à une au plus par collection")
    run.add_argument("--max-records", type=_positive_int, metavar="N",
                     help="budget : fiches de métadonnées vérifiées au plus")
    run.add_argument("-k", dest="keyword", metavar="EXPR",
                     help="sélection pytest par mot-clé, dont l'identifiant (-k OAPIF-CORE-019)")
    run.add_argument("-m", dest="markers", metavar="EXPR",
                     help="sélection pytest par marqueur : niveau, suite, classe (-m \"must and oapif\")")
    run.add_argument("-n", dest="workers", metavar="N",
                     help="processus pytest-xdist en parallèle (nombre ou auto ; mêmes résultats qu'en série)")
    run.add_argument("--profile", metavar="PROFIL", help="ne lancer que les tests d'un profil (suites/profiles.yaml)")
    matrix = _subparser(sub, "matrix", "assembler la matrice cibles × tests de plusieurs campagnes")
    matrix.add_argument("results", nargs="+", type=Path, help="results.json (ou leurs dossiers)")
    matrix.add_argument("--out", type=Path, default=Path("reports") / "matrix", help="dossier de sortie")
    matrix.add_argument("--shared-only", action="store_true",
                        help="accepter des catalogues différents en ne gardant que les identifiants communs")
    matrix.add_argument("--campagne", action="append", default=[], metavar="CIBLE@DATE",
                        help="campagne retenue pour une cible qui en a plusieurs (défaut : la plus récente)")
    matrix.add_argument("--date", metavar="DATE",
                        help="date de la publication (défaut : celle de la campagne la plus récente)")
    diff = _subparser(sub, "diff", "comparer deux campagnes ou deux matrices, cible par cible (statut 1 si "
                                   "régression)")
    diff.add_argument("old", type=Path, help="results.json ou matrix.json (ou leur dossier) de référence")
    diff.add_argument("new", type=Path, help="results.json ou matrix.json (ou leur dossier) à comparer")
    diff.add_argument("--json", type=Path, help="écrire la différence en JSON dans ce fichier")
    diff.add_argument("--campagne", action="append", default=[], metavar="CIBLE@DATE",
                      help="campagne retenue dans une matrice qui en a plusieurs d'une cible (défaut : la plus "
                           "récente)")
    diff.add_argument("--autre-cible", action="store_true",
                      help="comparer quand même deux campagnes de cibles différentes")
    suivi = _subparser(sub, "suivi", "suivre le déploiement des services au fil des publications de la matrice")
    suivi.add_argument("publications", nargs="+", type=Path, help="matrix.json datés (ou leurs dossiers)")
    suivi.add_argument("--out", type=Path, default=Path("reports") / "suivi", help="dossier de sortie")
    earl = _subparser(sub, "earl", "exporter une campagne en EARL (JSON-LD)")
    earl.add_argument("results", type=Path)
    earl.add_argument("--out", type=Path, help="fichier de sortie (défaut : earl.jsonld à côté)")
    validate = _subparser(sub, "validate", "vérifier des fiches ISO 19139 (fichiers, dossiers, réponses CSW, URL)")
    validate.add_argument("inputs", nargs="+", metavar="CHEMIN|URL",
                          help="fichier de fiche, dossier (parcouru récursivement), réponse CSW GetRecords ou "
                               "GetRecordById, ou URL d'une fiche")
    validate.add_argument("--out", metavar="DOSSIER", help="dossier de sortie (défaut : reports/fichiers/<horodatage>)")
    targets = _subparser(sub, "targets", "lister et valider les fichiers cibles")
    targets.add_argument("names", nargs="*", metavar="CIBLE",
                         help="cibles à valider (défaut : toutes celles de targets/)")
    catalogue = _subparser(sub, "catalogue", "afficher, régénérer ou vérifier le catalogue des tests")
    group = catalogue.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="régénérer suites/catalogue.yaml")
    group.add_argument("--check", action="store_true", help="échouer si le catalogue commité n'est plus à jour")
    group.add_argument("--release", metavar="VERSION",
                       help="publier la version du paquet : catalogue régénéré et figé, empreinte et profils "
                            "inscrits dans suites/releases.yaml, CHANGELOG.md régénéré (avant l'étiquette git)")
    catalogue.add_argument("--date", metavar="AAAA-MM-JJ", help="date de la publication (défaut : aujourd'hui)")
    catalogue.add_argument("--file", type=Path, metavar="FICHIER",
                           help="fichier catalogue (défaut : suites/catalogue.yaml)")
    catalogue.add_argument("--format", choices=["text", "md", "html", "csv"], default="text",
                           help="présentation pour les personnes (md, html, csv) ; clausier CCTP inclus")
    reference = _subparser(sub, "reference", "plateforme de référence intégrée (cible local)")
    reference_sub = reference.add_subparsers(dest="reference_command", required=True, title="actions",
                                             metavar="ACTION")
    _subparser(reference_sub, "setup", "installer ses serveurs (pygeoapi, pycsw, oidc-provider…) avec les scripts "
                                       "livrés, dans le dossier de l'utilisateur ($CICCLO_HOME, sinon "
                                       "~/.local/share/cicclo) ou, dans le dépôt, à leur place")
    return parser


def command_reference(args: argparse.Namespace) -> int:
    from cicclo.reference.install import setup

    return setup()


def _error(message: str) -> int:
    print(f"cicclo : {message}", file=sys.stderr)
    return USAGE_ERROR


def _out_dir(base: str | None, target_id: str, several: bool) -> Path:
    """The run's output folder, absolute: user paths are relative to the user's current folder."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if base:
        return (Path(base) / target_id if several else Path(base)).absolute()
    return Path.cwd() / "reports" / target_id / stamp


def _link_latest(out: Path, target_id: str) -> None:
    latest = Path.cwd() / "reports" / target_id / "latest"
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
    from cicclo.targets import load_target

    if args.profile:
        from cicclo.profiles import get_profile

        get_profile(args.profile)
    targets = []
    for name in args.target or ["local"]:
        target = load_target(name)
        target.secrets()
        targets.append((name, target))
    return targets


def _target_arg(name: str) -> str:
    """A built-in target's name as is; a target file as an absolute path (pytest may run elsewhere)."""
    from cicclo.targets import resolve_target_path

    path = resolve_target_path(name)
    return str(path) if path.stem != name else name


def _pytest_command(args: argparse.Namespace, name: str, out: Path) -> list[str]:
    folders = list(dict.fromkeys(SUITES[s] for s in args.suite or DEFAULT_SUITES))
    # a part of a suite asked for together with the whole suite is run once
    folders = [f for f in folders if not any(f.startswith(other + "/") for other in folders)]
    # the target as an absolute file: pytest runs in the user's folder, the suites are wherever cicclo is
    cmd = [sys.executable, "-m", "pytest", "-p", "cicclo", "-p", "no:cacheprovider",
           *(str(SUITES_DIR / f) for f in folders), "--target", _target_arg(name),
           "--cicclo-out", str(out), "-v", "--tb=no", "-rN"]
    for option in ("max_collections", "max_pages", "max_features", "max_records"):
        if getattr(args, option) is not None:
            cmd += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    if args.keyword:
        cmd += ["-k", args.keyword]
    if args.markers:
        cmd += ["-m", args.markers]
    if args.workers:
        cmd += ["-n", args.workers]
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
        return status if status in SEVERITY and status not in RUN_STATUSES else PYTEST_INTERNAL_ERROR
    return status


def _run_pytest(cmd: list[str]) -> int:
    """Run the pytest child in its own process group; Ctrl-C is passed to it once, and it is given time to stop
    cleanly and write its partial outputs (a second Ctrl-C stops it at once). INTERRUPTED when interrupted."""
    child = subprocess.Popen(cmd, process_group=0)
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
    if status == USAGE_ERROR:
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
    from cicclo.profiles import profile_state, verdict_lines

    try:
        profile = json.loads((out / "results.json").read_text(encoding="utf-8"))["run"].get("profile")
    except (OSError, ValueError, KeyError):
        return
    if profile:
        print(f"Profil {profile['name']} version {profile['version']} : {profile_state(profile)}")
        for line in verdict_lines(profile):
            print(f"  {line}")


VALIDATE_TARGET_ID = "fichiers"


def _validate_target(urls: list[str]) -> str:
    """The target of a ``cicclo validate`` run: no catalogue, only the hosts of the record URLs may be contacted."""
    from urllib.parse import urlsplit

    import yaml

    hosts = sorted({urlsplit(u).netloc.rpartition("@")[2].lower() for u in urls} - {""})  # host:port, no userinfo
    csw: dict[str, Any] = {"documented": False, "note": "fiches lues dans des fichiers ou à des URL (cicclo validate)"}
    if hosts:
        csw["extra_hosts"] = hosts
    doc = {"id": VALIDATE_TARGET_ID, "name": "Fiches de métadonnées vérifiées par cicclo validate",
           "services": {"csw": csw}}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def command_validate(args: argparse.Namespace) -> int:
    """The metadata record suite (iso19139) on record files and URLs, offline: same IDs and reports as ``run``.

    This process only waits for pytest (which checks the records): it imports neither the checks nor lxml."""
    from cicclo.metadata import is_url

    out = _out_dir(args.out, VALIDATE_TARGET_ID, False)
    out.mkdir(parents=True, exist_ok=True)
    target_file = out / "cible.yaml"
    target_file.write_text(_validate_target([i for i in args.inputs if is_url(i)]), encoding="utf-8")
    cmd = [sys.executable, "-m", "pytest", "-p", "cicclo", "-p", "no:cacheprovider",
           str(SUITES_DIR / SUITES["iso19139"]), "--target", str(target_file), "--cicclo-out", str(out), "-v",
           "--tb=no", "-rN"]
    for item in args.inputs:
        cmd += ["--records", item if is_url(item) else str(Path(item).resolve())]
    status = _run_pytest(cmd)
    produced = (out / "results.json").is_file()
    if produced:  # no profile here: the report paths only (results.json is not read back)
        _link_latest(out, VALIDATE_TARGET_ID)
        print(f"Rapports de {VALIDATE_TARGET_ID} :")
        for file in REPORT_FILES:
            print(f"  {out / file}")
    problem = _run_problem(status, produced)
    if problem:
        print(f"cicclo : validate : {problem}", file=sys.stderr)
        return USAGE_ERROR
    return status


def command_targets(args: argparse.Namespace) -> int:
    from cicclo.targets import all_target_paths, literal_credentials, load_target

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
    if args.release:
        return _release(args.release, args.date)
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


def _release(version: str, date: str | None) -> int:
    from cicclo.catalogue import CatalogueError
    from cicclo.releases import ReleaseError, release

    try:
        written = release(version, date)
    except (ReleaseError, CatalogueError) as exc:
        print(f"cicclo : {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"écrit : {path}")
    print(f"puis : git add {' '.join(str(p.relative_to(REPOSITORY)) for p in written)} && git commit && "
          f"git tag -a v{version} -m 'cicclo {version}'")
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
    from cicclo.matrix import MatrixError, build, load_run, parse_choices, write

    try:
        matrix = build([load_run(p) for p in args.results], shared_only=args.shared_only,
                       chosen=parse_choices(args.campagne), published_at=args.date)
    except MatrixError as exc:
        return _error(str(exc))
    for target in matrix["targets"]:
        print(f"{target['id']} : campagne du {target['run_date']} ({target['results_file']})")
    for aside in matrix["set_aside"]:
        print(f"{aside['id']} : campagne du {aside['run_date']} écartée ({aside['results_file']})")
    for path in write(matrix, args.out):
        print(f"écrit : {path}")
    return 0


def command_diff(args: argparse.Namespace) -> int:
    from cicclo.diff import campaigns_of, diff, render_text
    from cicclo.matrix import MatrixError, parse_choices

    try:
        chosen = parse_choices(args.campagne)
        result = diff(campaigns_of(args.old, chosen), campaigns_of(args.new, chosen), args.autre_cible)
    except MatrixError as exc:
        return _error(str(exc))
    print(render_text(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"écrit : {args.json}")
    return 1 if result["regressions"] else 0


def command_suivi(args: argparse.Namespace) -> int:
    from cicclo.matrix import MatrixError
    from cicclo.suivi import build, load_publication, write

    try:
        suivi = build([load_publication(p) for p in args.publications])
    except MatrixError as exc:
        return _error(str(exc))
    for pub in suivi["publications"]:
        figures = ", ".join(f"{f['deployed']} déploient {suivi['families'][k]['title']} ({f['profile_met']} "
                            f"atteignent {suivi['families'][k]['profile']})" for k, f in pub["families"].items())
        print(f"{pub['date']} : {pub['platforms']} plateformes — {figures}")
    for path in write(suivi, args.out):
        print(f"écrit : {path}")
    return 0


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
               "matrix": command_matrix, "diff": command_diff, "earl": command_earl,
               "suivi": command_suivi, "validate": command_validate, "reference": command_reference}[args.command]
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
