"""Statuses: aggregation per test ID, exit status, and what each exception means."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cicclo.declare import Declaration
from cicclo.errors import CheckFailed, NotTested, TransportError
from cicclo.model import Level, Status, TestResult, aggregate, exit_status
from cicclo.oapif.uris import CORE
from cicclo.verdict import Verdict

DECL = Declaration("OAPIF-CORE-999", "titre", ("http://x/req",), None, Level.MUST, CORE, "0.1.0")


@given(st.lists(st.sampled_from(list(Status))))
def test_aggregate_rules(statuses: list[Status]) -> None:
    result = aggregate(statuses)
    if Status.FAIL in statuses:
        assert result is Status.FAIL
    elif Status.ERROR in statuses:
        assert result is Status.ERROR
    elif Status.PASS in statuses:
        assert result is Status.PASS
    else:
        assert result is not Status.PASS


def test_zero_instances_is_never_pass() -> None:
    assert aggregate([]) is Status.NOT_TESTED


def _result(status: Status, level: Level = Level.MUST) -> TestResult:
    return TestResult("X-Y-001", "t", status, level, ["http://x"], None, CORE, "oapif", "")


def test_exit_status() -> None:
    assert exit_status([_result(Status.PASS), _result(Status.NOT_APPLICABLE)]) == 0
    assert exit_status([_result(Status.PASS), _result(Status.ERROR), _result(Status.FAIL)]) == 1
    assert exit_status([_result(Status.PASS), _result(Status.ERROR)]) == 6  # not pytest's internal error 3
    assert exit_status([_result(Status.FAIL, Level.SHOULD)]) == 0
    assert _result(Status.FAIL, Level.SHOULD).is_warning


def test_exceptions_decide_instance_statuses() -> None:
    verdict = Verdict(DECL)
    with verdict.instance("ok"):
        pass
    with verdict.instance("check") as rec:
        rec.check(False, "raté")
    with verdict.instance("require"):
        raise CheckFailed("raté")
    with verdict.instance("precondition"):
        raise NotTested("rien à vérifier")
    with verdict.instance("network"):
        raise TransportError("pas de réponse")
    with verdict.instance("bug"):
        raise KeyError("x")
    got = {i.key: i.status for i in verdict.instances}
    assert got == {"ok": Status.PASS, "check": Status.FAIL, "require": Status.FAIL,
                   "precondition": Status.NOT_TESTED, "network": Status.ERROR, "bug": Status.ERROR}


def test_a_failed_precondition_is_recorded_once() -> None:
    verdict = Verdict(DECL)

    def unavailable() -> list[int]:
        raise NotTested("collection indisponible")

    assert verdict.attempt("collection=a", unavailable) is None
    assert verdict.attempt("collection=b", lambda: [1]) == [1]
    assert [(i.key, i.status) for i in verdict.instances] == [("collection=a", Status.NOT_TESTED)]


def test_each_result_lists_its_skipped_instances_and_why() -> None:
    verdict = Verdict(DECL)
    with verdict.instance("a"):
        pass
    with verdict.instance("b"):
        raise NotTested("aucune valeur temporelle : rien à filtrer")
    result = TestResult("OAPIF-CORE-999", "t", Status.PASS, Level.MUST, [], None, CORE, "oapif", "",
                        verdict.instances)
    assert result.to_json()["skipped"] == [
        {"instance": "b", "status": "NOT_TESTED", "reason": "aucune valeur temporelle : rien à filtrer"}]
