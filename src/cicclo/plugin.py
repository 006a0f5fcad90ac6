"""The pytest plugin: target loading, declaration checks, statuses, outputs and exit status.

It is active only when the run collects tests under ``suites/``; the project's own tests are untouched.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from cicclo.classes import KNOWN_CLASSES
from cicclo.declare import Declaration, declaration_of
from cicclo.errors import CheckFailed, ConfigurationError, NotApplicable, NotTested, TransportError
from cicclo.http import EvidenceStore, HttpClient
from cicclo.model import LEVEL_LABELS_FR, InstanceResult, Level, Status, TestResult, aggregate, exit_status
from cicclo.profiles import profile_state, verdict_lines
from cicclo.redact import Redactor
from cicclo.reference.builtins import Started
from cicclo.reporters.record import FILE_NAME as RECORD_FILE
from cicclo.reporters.record import RecordWriter, RunRecord, light
from cicclo.reporters.results_json import DESELECTED
from cicclo.resources import DATA_ROOT, PACKAGE_DIR, SUITES_DIR
from cicclo.targets import Budgets, Service, Target, load_target

RUN_KEY = pytest.StashKey["RunContext"]()
VERDICT_KEY = pytest.StashKey[Any]()


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
    # the light part (no instances) of each result: the instances are in the run record only
    results: dict[str, TestResult] = field(default_factory=dict)
    # the run record (run.jsonl) the controller, or a serial run, writes as results arrive
    record: RecordWriter | None = None
    recorded: set[str] = field(default_factory=set)
    declarations: dict[str, Declaration] = field(default_factory=dict)
    # plain data, what a pytest-xdist worker hands its controller: the tests of the campaign (their result if
    # they never report) and the deselected ones (which produce no report)
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)
    unreported: dict[str, dict[str, Any]] = field(default_factory=dict)
    builtins: BuiltinServices | None = None
    profile: Any = None
    # per conformance class: declared (True), not declared (False) or undecidable (None), and why
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def note_class(self, uri: str, declared: bool | None, reason: str) -> None:
        """What a test learnt of its class's declaration; a class declared for one test is declared."""
        known = self.classes.get(uri)
        rank = {True: 2, False: 1, None: 0}
        if known is None or rank[declared] > rank[known["declared"]]:
            self.classes[uri] = {"declared": declared, "reason": reason}
    interrupted: bool = False

    def profile_verdict(self) -> dict[str, Any] | None:
        if self.profile is None:
            return None
        return self.profile.verdict({k: r.status.value for k, r in self.results.items()},
                                    {k: c["declared"] for k, c in self.classes.items()}, vars(self.budgets))

    def wall_seconds(self) -> float:
        return time.monotonic() - self.started

    def record_result(self, doc: dict[str, Any]) -> None:
        """One result into the run record (redacted, with its instances) and its light part into memory."""
        if self.record is not None:
            self.record.result(self.redactor.json(doc))
        self.recorded.add(doc["test_id"])
        self.results[doc["test_id"]] = TestResult.from_json({**light(doc), "instances": []})

    def record_header(self) -> dict[str, Any]:
        """What the run record's first line says: suite, target and the run's metadata known at its start."""
        from cicclo import __version__
        from cicclo.catalogue import catalogue_sha256

        return self.redactor.json({
            "suite": {"name": "cicclo", "version": __version__, "catalogue_sha256": catalogue_sha256()},
            "target": self.target.to_json(),
            "run": {
                "started_at": self.started_at,
                "out_dir": self.out_dir.name,  # no runner path in a published file
                "budgets": {"max_collections": self.budgets.max_collections, "max_pages": self.budgets.max_pages,
                            "max_features": self.budgets.max_features, "max_records": self.budgets.max_records},
                "runner": {"python": platform.python_version(), "platform": sys.platform},
            },
        })

    def record_footer(self) -> dict[str, Any]:
        """What the run record's last line says: statistics, classes, profile verdict and completeness."""
        verdict = self.profile_verdict()
        complete = (not self.interrupted and not any(r.message == DESELECTED for r in self.results.values())
                    and (verdict or {}).get("complete", True))
        return self.redactor.json({"run": {
            "stats": self.client.stats.to_json(self.wall_seconds()),
            "classes": dict(sorted(self.classes.items())),
            "profile": verdict,
            "complete": complete,
            "interrupted": self.interrupted,
        }})


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cicclo", "suite de conformité cicclo")
    group.addoption("--target", action="store", default=None,
                    help="nom d'une cible de targets/ ou chemin d'un fichier cible (défaut : local)")
    group.addoption("--cicclo-out", action="store", default=None,
                    help="dossier de sortie (défaut : ./reports/<cible>/<horodatage>)")
    group.addoption("--max-collections", type=int, default=None, help="budget : collections testées au plus")
    group.addoption("--max-pages", type=int, default=None, help="budget : pages suivies au plus par parcours")
    group.addoption("--max-features", type=int, default=None,
                    help="budget : entités interrogées une à une au plus par collection")
    group.addoption("--max-records", type=int, default=None,
                    help="budget : fiches de métadonnées vérifiées au plus")
    group.addoption("--records", action="append", default=None, metavar="FICHIER|DOSSIER|URL",
                    help="fiches ISO 19139 à vérifier au lieu du catalogue de la cible (cicclo validate)")
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


def default_out_dir(target_id: str) -> Path:
    """``reports/<target>/<UTC time stamp>`` under the user's current folder."""
    return Path.cwd() / "reports" / target_id / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _is_package_arg(config: pytest.Config, arg: str) -> bool:
    """``pytest --pyargs cicclo``: the installed package's name stands for all its suites."""
    if not config.option.pyargs or "/" in arg:
        return False
    spec = importlib.util.find_spec(arg.split("::")[0])
    return spec is not None and spec.origin is not None and Path(spec.origin).parent == PACKAGE_DIR


def point_package_args_at_suites(config: pytest.Config) -> None:
    config.args[:] = [str(SUITES_DIR) if _is_package_arg(config, a) else a for a in config.args]


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

    def shared(self, target: Target) -> dict[str, Any]:
        """What pytest-xdist workers need to use the services started here: plain data."""
        services = {name: json.loads(json.dumps(asdict(svc), default=str))
                    for name, svc in target.services.items() if svc.builtin}
        return {"services": services, "secrets": dict(self.secrets)}

    def adopt(self, target: Target, shared: dict[str, Any]) -> None:
        """A worker uses the services its controller started."""
        target.services = {**target.services, **{
            name: Service(**{**fields, "extra_hosts": tuple(fields["extra_hosts"])})
            for name, fields in shared["services"].items()}}
        self.secrets.update(shared["secrets"])

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


def marker_names(decl: Declaration) -> tuple[str, ...]:
    """The pytest markers of a test: its level (``must``/``should``), its suite and its conformance class
    (``<suite>_<class code>``, e.g. ``oapif_core``, ``records_html``)."""
    known = KNOWN_CLASSES[decl.applies_to]
    return decl.level.value.lower(), known.suite, class_marker(known.suite, known.code)


def class_marker(suite: str, code: str) -> str:
    return f"{suite}_{re.sub(r'[^a-z0-9]+', '_', code.lower())}".replace(f"{suite}_{suite}_", f"{suite}_")


def register_markers(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance: déclaration d'un test de conformité (cicclo.declare)")
    for level in Level:
        config.addinivalue_line("markers", f"{level.value.lower()}: test de niveau {LEVEL_LABELS_FR[level]}")
    for suite in sorted({c.suite for c in KNOWN_CLASSES.values()}):
        config.addinivalue_line("markers", f"{suite}: test de la suite {suite}")
    for uri, known in KNOWN_CLASSES.items():
        config.addinivalue_line("markers", f"{class_marker(known.suite, known.code)}: classe {uri}")


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
    point_package_args_at_suites(config)
    if not _is_suite_run(config):
        return
    if str(DATA_ROOT) not in sys.path:  # a suite may reuse another's checks (``from suites.oapif import …``)
        sys.path.insert(0, str(DATA_ROOT))
    try:
        from cicclo.profiles import get_profile

        profile = get_profile(config.getoption("profile")) if config.getoption("profile") else None
        target = load_target(config.getoption("target") or "local")
        secrets = target.secrets()
        auth_headers, auth_params = target.auth_parts()
    except ConfigurationError as exc:
        raise pytest.UsageError(str(exc)) from None
    worker = getattr(config, "workerinput", {}).get("cicclo")  # set by the controller of a pytest-xdist run
    out_dir = Path(worker["out_dir"] if worker else config.getoption("cicclo_out") or default_out_dir(target.id))
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    builtins = BuiltinServices()
    if worker:
        builtins.adopt(target, worker["builtins"])
    else:
        try:
            builtins.start_for(target, selected_suites(config))
        except Exception as exc:
            builtins.stop()
            raise pytest.UsageError(f"service intégré : démarrage impossible : {exc}") from None
    redactor = Redactor({**secrets, **builtins.secrets}, credential_params=target.redact_params)
    # a profile run uses the profile's budgets; an option that changes one makes it no profile run
    base = replace(target.budgets, **profile.budgets) if profile is not None else target.budgets  # type: ignore[arg-type]
    budgets = replace(
        base,
        max_collections=config.getoption("max_collections") or base.max_collections,
        max_pages=config.getoption("max_pages") or base.max_pages,
        max_features=config.getoption("max_features") or base.max_features,
        max_records=config.getoption("max_records") or base.max_records,
    )
    client = HttpClient(
        allowed_hosts=target.hosts(),
        evidence=EvidenceStore(out_dir / "evidence", redactor, f"{worker['id']}-" if worker else ""),
        limits=target.limits,
        auth_headers=auth_headers,
        auth_params=auth_params,
        allow_write=target.allow_write,
    )
    run = RunContext(
        target=target, out_dir=out_dir, client=client, redactor=redactor, budgets=budgets,
        started_at=worker["started_at"] if worker else dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        builtins=builtins, profile=profile,
    )
    config.stash[RUN_KEY] = run
    if not worker:  # a pytest-xdist worker's results travel to its controller, which records them
        run.record = RecordWriter(out_dir / RECORD_FILE)
        run.record.header(run.record_header())
        config.pluginmanager.register(RunRecorder(run), "cicclo-record")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist controller: each worker uses the services, folder and start time of this run."""
    run = node.config.stash.get(RUN_KEY, None)
    if run is not None:
        node.workerinput["cicclo"] = {"out_dir": str(run.out_dir), "started_at": run.started_at,
                                      "id": node.workerinput["workerid"],
                                      "builtins": run.builtins.shared(run.target) if run.builtins else {}}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist controller: merge what a worker collected (declarations, deselected tests, classes,
    statistics)."""
    run = node.config.stash.get(RUN_KEY, None)
    output = getattr(node, "workeroutput", {}).get("cicclo")
    if run is None or output is None:
        return
    for doc in output["unreported"]:
        run.results.setdefault(doc["test_id"], TestResult.from_json(doc))
    run.expected.update(output["expected"])
    for uri, known in output["classes"].items():
        run.note_class(uri, known["declared"], known["reason"])
    for name, value in output["stats"].items():
        setattr(run.client.stats, name, getattr(run.client.stats, name) + value)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return
    run.client.close()
    if run.record is not None:
        run.record.close()
    if run.builtins is not None:
        run.builtins.stop()
    scrub_outputs(run)


SCRUBBED = (".json", ".jsonl", ".jsonld", ".xml", ".html", ".txt", ".log", ".yml", ".yaml")
SCRUB_BLOCK = 1 << 22  # characters read at a time, extended to the end of a line


def _blocks(path: Path) -> Iterator[str]:
    """A text file in blocks of whole lines (a secret never spans lines), so none is held whole."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        while block := handle.read(SCRUB_BLOCK):
            yield block + handle.readline()


def scrub_outputs(run: RunContext) -> None:
    """Last line of defence: no known secret value, userinfo or credential parameter survives in any output
    file, secrets learnt late in the run included (a file with one is rewritten atomically, block by block).
    Every text was redacted when written: with no secret value known at the end, none can have been learnt late,
    and the files are not read again."""
    if not run.redactor.secrets:
        return
    for path in run.out_dir.rglob("*"):
        if not (path.is_file() and path.suffix in SCRUBBED):
            continue
        if all(run.redactor.text(block) == block for block in _blocks(path)):
            continue
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                for block in _blocks(path):
                    out.write(run.redactor.text(block))
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


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


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: they match the ID and the markers added here
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
    run.expected.update({test_id: _result(decl, Status.NOT_TESTED, "test non exécuté (campagne interrompue)",
                                          [], "").to_json() for test_id, decl in declarations.items()})
    for item in items:
        decl = declarations_by_node(item)
        item.extra_keyword_matches.add(decl.test_id)
        for name in marker_names(decl):
            item.add_marker(name)
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
            run.unreported[decl.test_id] = run.results[decl.test_id].to_json()


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
        _check_applicable(request.getfixturevalue("suite_context"), decl, run_context)
        yield v
    finally:
        CURRENT_SINK.reset(tokens[0])
        CURRENT_TEST_ID.reset(tokens[1])


def _check_applicable(context: Any, decl: Declaration, run: RunContext) -> None:
    """The family's applicability check, whose outcome the run records as its class's declaration."""
    try:
        context.check_applicable(decl)
    except NotApplicable as exc:
        run.note_class(decl.applies_to, False, str(exc))
        raise
    except NotTested as exc:
        run.note_class(decl.applies_to, None, str(exc))
        raise
    run.note_class(decl.applies_to, True, "")


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
    if VERDICT_KEY in item.stash:  # the instances now live in the result only
        del item.stash[VERDICT_KEY]
    # plain data: it travels with the report to a pytest-xdist controller, which records it (logreport)
    report.cicclo_result = result.to_json()
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


class RunRecorder:
    """Writes each report's plain result into the run record, in a serial run and in the controller of a
    pytest-xdist run alike (registered by pytest_configure), and leaves on the report only what the terminal
    needs: pytest keeps every report until the end, the instances must not stay with them."""

    def __init__(self, run: RunContext) -> None:
        self.run = run

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        doc = getattr(report, "cicclo_result", None)
        if doc is not None:
            self.run.record_result(doc)
            report.cicclo_result = {k: doc[k] for k in ("test_id", "status", "warning")}  # type: ignore[attr-defined]


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    doc = getattr(report, "cicclo_result", None)
    if doc is None:
        return None
    letters = {"PASS": ".", "FAIL": "F", "ERROR": "E", "NOT_APPLICABLE": "a", "NOT_TESTED": "n"}
    word = f"{doc['test_id']} {doc['status']}" + (" (avertissement)" if doc["warning"] else "")
    # the category is cicclo's status: pytest's closing line then counts what cicclo counts
    return doc["status"], letters[doc["status"]], word


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is None:
        return
    if is_worker(session.config):  # the controller writes the outputs
        session.config.workeroutput["cicclo"] = {  # type: ignore[attr-defined]
            "unreported": list(run.unreported.values()), "expected": run.expected, "classes": run.classes,
            "stats": {k: v for k, v in asdict(run.client.stats).items()}}
        return
    run.interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    if not run.expected:
        return
    for test_id, doc in run.expected.items():
        run.results.setdefault(test_id, TestResult.from_json(doc))
    for test_id in sorted(set(run.results) - run.recorded):  # never reported: deselected, or not run
        run.record_result(run.results[test_id].to_json())
    assert run.record is not None
    run.record.footer(run.record_footer())
    write_reports(run.out_dir / RECORD_FILE)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = exit_status(list(run.results.values()))


def write_reports(path: Path) -> list[Path]:
    """Every report of a run from its run record alone: results.json, junit.xml, earl.jsonld, report.html."""
    from cicclo.reporters import earl, html, junit, results_json

    record = RunRecord(path)
    return [results_json.write(record), junit.write(record), earl.write(record), html.write(record)]


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
        tr.write_line(f"profil {verdict['name']} version {verdict['version']} : {profile_state(verdict)}")
        for line in verdict_lines(verdict):
            tr.write_line(f"  {line}")
    tr.write_line(
        f"requêtes : {stats.requests} (+{stats.cache_hits} depuis le cache), "
        f"{stats.bytes_received / 1e6:.1f} Mo reçus, {stats.server_wait_s:.1f} s d'attente serveur, "
        f"{run.wall_seconds():.1f} s au total"
    )
    for name in ("results.json", "junit.xml", "earl.jsonld", "report.html", RECORD_FILE):
        tr.write_line(f"{name:13s}: {run.out_dir / name}")
    failing = [r for r in sorted(run.results.values(), key=lambda r: r.test_id)
               if r.status in (Status.FAIL, Status.ERROR)]
    if failing:
        tr.section("cicclo : FAIL et ERROR", red=True)
        for r in failing:
            level = LEVEL_LABELS_FR[r.level] + (", avertissement" if r.is_warning else "")
            first = r.message.splitlines()[0] if r.message else ""
            tr.write_line(f"{r.status.value:5s} {r.test_id} ({level}) {r.title} : {first}")
