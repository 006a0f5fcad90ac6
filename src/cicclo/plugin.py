"""The pytest plugin: target loading, declaration checks, statuses, outputs and exit status.

It is active only when the run collects tests under ``suites/``; the project's own tests are untouched.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from cicclo.declare import Declaration, declaration_of
from cicclo.errors import CheckFailed, ConfigurationError, NotApplicable, NotTested, TransportError
from cicclo.http import EvidenceStore, HttpClient, write_atomic
from cicclo.model import InstanceResult, Status, TestResult, aggregate, exit_status
from cicclo.profiles import profile_state
from cicclo.redact import Redactor
from cicclo.reference.builtins import Started
from cicclo.reporters.results_json import DESELECTED
from cicclo.targets import REPO_ROOT, Budgets, Target, load_target

SUITES_DIR = REPO_ROOT / "suites"
REPORTS_DIR = REPO_ROOT / "reports"
RUN_KEY = pytest.StashKey["RunContext"]()
VERDICT_KEY = pytest.StashKey[Any]()
STATUS_KEY = pytest.StashKey[TestResult]()


@dataclass
class RunContext:
    """Everything shared by the tests of one run against one target."""

    target: Target
    out_dir: Path
    client: HttpClient
    redactor: Redactor
    budgets: Budgets
    started_at: str
    started: float = field(default_factory=time.monotonic)
    results: dict[str, TestResult] = field(default_factory=dict)
    declarations: dict[str, Declaration] = field(default_factory=dict)
    builtins: BuiltinServices | None = None
    profile: Any = None
    interrupted: bool = False

    def profile_verdict(self) -> dict[str, Any] | None:
        return self.profile.verdict(self.results) if self.profile is not None else None

    def wall_seconds(self) -> float:
        return time.monotonic() - self.started


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cicclo", "suite de conformité cicclo")
    group.addoption("--target", action="store", default=None,
                    help="nom d'une cible de targets/ ou chemin d'un fichier cible (défaut : local)")
    group.addoption("--cicclo-out", action="store", default=None,
                    help="dossier de sortie (défaut : reports/<cible>/<horodatage>)")
    group.addoption("--max-collections", type=int, default=None, help="budget : collections testées au plus")
    group.addoption("--max-pages", type=int, default=None, help="budget : pages suivies au plus par parcours")
    group.addoption("--max-features", type=int, default=None,
                    help="budget : entités interrogées une à une au plus par collection")
    group.addoption("--max-records", type=int, default=None,
                    help="budget : fiches de métadonnées vérifiées au plus")
    group.addoption("--profile", action="store", default=None,
                    help="ne lancer que les tests d'un profil de suites/profiles.yaml et dire s'il est atteint")


# The target services each suite folder talks to (the features server links the catalogue's records).
SUITE_SERVICES = {
    "oapif": ("oapif", "csw"),
    "metadata/csw": ("csw",),
    "metadata/records": ("ogcapi_records",),
    "metadata/iso19139": ("csw",),
    "metadata/dcat": ("dcat",),
    "proconnect": ("proconnect_provider", "proconnect_rp"),
}


def selected_suites(config: pytest.Config) -> set[str]:
    """The suite folders (keys of ``SUITE_SERVICES``) a run collects, whole or in part."""
    names: set[str] = set()
    args = config.args or [str(p) for p in config.getini("testpaths")]
    for arg in args:
        path = Path(arg.split("::")[0])
        path = (Path(config.invocation_params.dir) / path).resolve() if not path.is_absolute() else path
        if path != SUITES_DIR and SUITES_DIR not in path.parents:
            continue
        for name in SUITE_SERVICES:
            folder = SUITES_DIR / name
            if path == folder or folder in path.parents or path in folder.parents:
                names.add(name)
    return names


class BuiltinServices:
    """The built-in services a target names (``builtin: NAME``), started once each in a temporary folder."""

    def __init__(self) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._started: list[Started] = []
        self.secrets: dict[str, str] = {}

    def start_for(self, target: Target, suites: set[str]) -> None:
        """Start the built-ins that the selected suites need and put the URLs/options they give into the
        target's services."""
        from cicclo.reference import builtins

        needed = {svc for suite in suites for svc in SUITE_SERVICES.get(suite, ())}
        wanted = {s.builtin for name, s in target.services.items() if s.builtin and name in needed}
        if not wanted:
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="cicclo-builtin-")
        services = dict(target.services)
        for name in (n for n in builtins.STARTERS if n in wanted):
            urls = {k: s.url for k, s in services.items() if s.url}
            started = builtins.start(name, Path(self._tmp.name) / name, urls)
            self._started.append(started)
            # secret names become shell variable names in the curl lines (${NAME}): keep them valid
            self.secrets.update({re.sub(r"[^A-Z0-9]+", "_", k.upper()).strip("_"): v
                                 for k, v in started.secrets.items()})
            for service_name, fields in started.services.items():
                current = services.get(service_name)
                if current is not None and current.builtin == name:
                    options = {**current.options, **fields.pop("options", {})}
                    services[service_name] = replace(current, options=options, **fields)
        target.services = services

    def stop(self) -> None:
        while self._started:
            self._started.pop().stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def probe_hosts(client: HttpClient, target: Target, suites: set[str]) -> None:
    """Probe the hosts of the selected suites' services all at once before the tests: hosts that hang or refuse
    open their breaker together, so a run against N dead hosts costs one request deadline, not N per host."""
    needed = {svc for suite in suites for svc in SUITE_SERVICES.get(suite, ())}
    urls = [s.url for name, s in target.services.items() if s.url and name in needed]
    if urls:
        client.probe(urls)


def _is_suite_run(config: pytest.Config) -> bool:
    return bool(selected_suites(config))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _is_suite_run(config):
        return
    try:
        from cicclo.profiles import get_profile

        profile = get_profile(config.getoption("profile")) if config.getoption("profile") else None
        target = load_target(config.getoption("target") or "local")
        secrets = target.secrets()
        auth_headers, auth_params = target.auth_parts()
    except ConfigurationError as exc:
        raise pytest.UsageError(str(exc)) from None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = Path(config.getoption("cicclo_out") or REPORTS_DIR / target.id / stamp).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    builtins = BuiltinServices()
    try:
        builtins.start_for(target, selected_suites(config))
    except Exception as exc:
        builtins.stop()
        raise pytest.UsageError(f"service intégré : démarrage impossible : {exc}") from None
    redactor = Redactor({**secrets, **builtins.secrets}, credential_params=target.redact_params)
    budgets = replace(
        target.budgets,
        max_collections=config.getoption("max_collections") or target.budgets.max_collections,
        max_pages=config.getoption("max_pages") or target.budgets.max_pages,
        max_features=config.getoption("max_features") or target.budgets.max_features,
        max_records=config.getoption("max_records") or target.budgets.max_records,
    )
    client = HttpClient(
        allowed_hosts=target.hosts(),
        evidence=EvidenceStore(out_dir / "evidence", redactor),
        limits=target.limits,
        auth_headers=auth_headers,
        auth_params=auth_params,
        allow_write=target.allow_write,
    )
    run = RunContext(
        target=target, out_dir=out_dir, client=client, redactor=redactor, budgets=budgets,
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), builtins=builtins, profile=profile,
    )
    config.stash[RUN_KEY] = run
    if hasattr(config.option, "htmlpath") and not config.option.htmlpath:
        config.option.htmlpath = str(out_dir / "report.html")
        config.option.self_contained_html = True
    from cicclo.reporters import html

    config.pluginmanager.register(html.HtmlReportHooks(run), "cicclo-html")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    run.client.close()
    if run.builtins is not None:
        run.builtins.stop()
    scrub_outputs(run)


def scrub_outputs(run: RunContext) -> None:
    """Last line of defence: no known secret value, userinfo or credential parameter survives in any output
    file (each rewritten atomically)."""
    for path in run.out_dir.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".jsonld", ".xml", ".html", ".txt", ".log", ".yml", ".yaml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            clean = run.redactor.text(text)
            if clean != text:
                write_atomic(path, clean)


def declaration_problems(items: list[tuple[str, Any, bool]]) -> tuple[dict[str, Declaration], list[str]]:
    """Check collected tests (nodeid, test function, parametrised?): every test declared, IDs unique,
    no parametrised ID. Unknown classes are refused when the declaration is made."""
    declarations: dict[str, Declaration] = {}
    problems: list[str] = []
    for nodeid, func, parametrised in items:
        decl = declaration_of(func)
        if decl is None:
            problems.append(f"{nodeid} : test sans déclaration @conformance")
        elif decl.test_id in declarations:
            problems.append(f"{nodeid} : identifiant {decl.test_id} déjà déclaré")
        elif parametrised:
            problems.append(f"{nodeid} : un identifiant ne se paramètre pas (boucler sur les instances)")
        else:
            declarations[decl.test_id] = decl
    return declarations, problems


def declarations_by_node(item: pytest.Item) -> Declaration:
    decl = declaration_of(getattr(item, "obj", None))
    assert decl is not None, item.nodeid
    return decl


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    declarations, problems = declaration_problems(
        [(item.nodeid, getattr(item, "obj", None), hasattr(item, "callspec")) for item in items])
    if run.profile is not None and not problems:
        # a profile run is exactly the profile's tests: the others are not part of this campaign
        items[:] = [i for i in items if declarations_by_node(i).test_id in run.profile.tests]
        declarations = {k: d for k, d in declarations.items() if k in run.profile.tests}
    if problems:
        raise pytest.UsageError("déclarations de tests invalides :\n  " + "\n  ".join(problems))
    run.declarations.update(declarations)
    for item in items:
        decl = declarations_by_node(item)
        item.user_properties.append(("test_id", decl.test_id))
        item.user_properties.append(("requirements", " ".join(decl.requirements)))
        if decl.abstract_test:
            item.user_properties.append(("abstract_test", decl.abstract_test))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Probe the target's hosts once the tests are known (an interruption from here on still writes outputs)."""
    run = session.config.stash.get(RUN_KEY, None)
    if run is not None and session.items:
        probe_hosts(run.client, run.target, selected_suites(session.config))


def pytest_deselected(items: list[pytest.Item]) -> None:
    if not items:
        return
    run = items[0].config.stash.get(RUN_KEY, None)
    if run is None:
        return
    for item in items:
        decl = declaration_of(getattr(item, "obj", None))
        if decl:
            run.results[decl.test_id] = _result(decl, Status.NOT_TESTED, DESELECTED, [], item.nodeid)


@pytest.fixture(scope="session")
def run_context(request: pytest.FixtureRequest) -> RunContext:
    run = request.config.stash.get(RUN_KEY, None)
    if run is None:
        raise pytest.UsageError("les suites se lancent avec --target (ou via `cicclo run`)")
    return run


@pytest.fixture()
def verdict(request: pytest.FixtureRequest, run_context: RunContext) -> Iterator[Any]:
    """The recorder of the current test; raises NotApplicable when the target lacks the class."""
    from cicclo.http import CURRENT_SINK, CURRENT_TEST_ID
    from cicclo.verdict import Verdict

    decl = declaration_of(request.function)
    assert decl is not None
    v = Verdict(decl)
    request.node.stash[VERDICT_KEY] = v
    tokens = (CURRENT_SINK.set(v.add_shared_evidence), CURRENT_TEST_ID.set(decl.test_id))
    try:
        request.getfixturevalue("suite_context").check_applicable(decl)
        yield v
    finally:
        CURRENT_SINK.reset(tokens[0])
        CURRENT_TEST_ID.reset(tokens[1])


def _result(decl: Declaration, status: Status, message: str, instances: list[InstanceResult], nodeid: str,
            notes: list[str] | None = None, duration: float = 0.0) -> TestResult:
    return TestResult(
        test_id=decl.test_id, title=decl.title, status=status, level=decl.level,
        requirements=list(decl.requirements), abstract_test=decl.abstract_test,
        conformance_class=decl.applies_to, suite=decl.suite, message=message, instances=instances,
        notes=notes or [], duration_s=duration, nodeid=nodeid,
    )


def _status_of(exc: BaseException | None) -> tuple[Status, str]:
    if exc is None:
        return Status.PASS, ""
    if isinstance(exc, CheckFailed):
        return Status.FAIL, str(exc)
    if isinstance(exc, NotApplicable):
        return Status.NOT_APPLICABLE, str(exc)
    if isinstance(exc, NotTested):
        return Status.NOT_TESTED, str(exc)
    if isinstance(exc, TransportError):
        return Status.ERROR, str(exc)
    return Status.ERROR, f"erreur interne de la suite : {type(exc).__name__}: {exc}"


def summarize(instances: list[InstanceResult], status: Status) -> str:
    """A one-paragraph message: the failing instances first, then counts."""
    if not instances:
        return ""
    bad = [i for i in instances if i.status is status] if status is not Status.PASS else []
    lines = [f"[{i.key}] {m}" for i in bad[:10] for m in i.messages[:3]]
    if len(bad) > 10:
        lines.append(f"… et {len(bad) - 10} autres instances en {status.value}")
    counts: dict[str, int] = {}
    for i in instances:
        counts[i.status.value] = counts.get(i.status.value, 0) + 1
    lines.append("instances : " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    run = item.config.stash.get(RUN_KEY, None)
    decl = declaration_of(getattr(item, "obj", None))
    if run is None or decl is None:
        return report
    exc = call.excinfo.value if call.excinfo else None
    if call.when == "setup" and exc is None:
        return report
    if call.when == "teardown":
        return report
    verdict = item.stash.get(VERDICT_KEY, None)
    instances = list(verdict.instances) if verdict and call.when == "call" else []
    top_status, top_message = _status_of(exc)
    statuses = [i.status for i in instances]
    if exc is not None or not instances:
        # an exception outside any instance decides for the whole test; no instance at all is NOT_TESTED
        if exc is not None:
            statuses.append(top_status)
        elif not instances and not statuses:
            top_message = "aucune instance vérifiée"
    status = aggregate(statuses)
    if status is Status.PASS and top_status is Status.NOT_TESTED:
        # the test stopped on a precondition after a few instances: what it did check is no verdict on the rest
        status = Status.NOT_TESTED
    message = top_message if exc is not None and not instances else summarize(instances, status)
    if exc is not None and instances:
        message = f"{top_message}\n{message}"
    notes = list(verdict.notes) if verdict else []
    result = _result(decl, status, run.redactor.text(message), instances, item.nodeid, notes, call.duration)
    run.results[decl.test_id] = result
    item.stash[STATUS_KEY] = result
    report.cicclo_result = result  # read by pytest_report_teststatus and the HTML report hooks
    text = f"{decl.test_id} {status.value}: {result.message}"
    if status is Status.PASS or result.is_warning:
        report.outcome = "passed"
        report.longrepr = None
    elif status in (Status.NOT_APPLICABLE, Status.NOT_TESTED):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), 0, text)
    else:
        report.outcome = "failed"
        report.longrepr = text
    report.sections = []
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    result = getattr(report, "cicclo_result", None)
    if result is None:
        return None
    letters = {"PASS": ".", "FAIL": "F", "ERROR": "E", "NOT_APPLICABLE": "a", "NOT_TESTED": "n"}
    word = f"{result.test_id} {result.status.value}" + (" (avertissement)" if result.is_warning else "")
    return report.outcome, letters[result.status.value], word


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or not run.declarations:
        return
    run.interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    for test_id, decl in run.declarations.items():
        if test_id not in run.results:
            run.results[test_id] = _result(decl, Status.NOT_TESTED, "test non exécuté (campagne interrompue)", [], "")
    from cicclo.reporters import earl, junit, results_json

    ordered = [run.results[k] for k in sorted(run.results)]
    results_json.write(run, ordered)
    junit.write(run, ordered)
    earl.write(run)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = exit_status(ordered)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None or not run.results:
        return
    counts: dict[str, int] = {}
    for r in run.results.values():
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    warnings = sum(1 for r in run.results.values() if r.is_warning)
    stats = run.client.stats
    tr = terminalreporter
    tr.section("cicclo")
    tr.write_line(f"cible : {run.target.id} ({run.target.name})")
    tr.write_line("statuts : " + ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in Status)
                  + f" — dont {warnings} avertissement(s) DEVRAIT")
    verdict = run.profile_verdict()
    if verdict is not None:
        state = profile_state(verdict)
        tr.write_line(f"profil {verdict['name']} version {verdict['version']} : {state}"
                      + (f" — en échec : {', '.join(verdict['failing'])}" if verdict["failing"] else "")
                      + (f" — non testés : {', '.join(verdict['not_run'])}" if verdict["not_run"] else ""))
    tr.write_line(
        f"requêtes : {stats.requests} (+{stats.cache_hits} depuis le cache), "
        f"{stats.bytes_received / 1e6:.1f} Mo reçus, {stats.server_wait_s:.1f} s d'attente serveur, "
        f"{run.wall_seconds():.1f} s au total"
    )
    for name in ("results.json", "junit.xml", "earl.jsonld", "report.html"):
        tr.write_line(f"{name:13s}: {run.out_dir / name}")
