"""The CI templates of ci/, run locally: each job's own script lines (the installation of the wheel aside, done
here by the project's environment), on two targets, twice. The merge job fetches the previous publication and
its exit status is non-zero when a target regressed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, write_target
from tests.servers import reply, serve
from tests.test_report_html import fake_ogc_api

OPTIONS = "--suite oapif -k test_core_discovery"  # a few tests are enough to tell a regression
TARGETS = ("alpha", "beta")
TOKEN = "jeton-de-tache-ci"


class Platforms:
    """Two fake OGC API servers (beta can be broken: its conformance page answers 500) and a publication
    server (GitLab Pages or GitHub Pages, and GitLab's job artifacts API)."""

    def __init__(self) -> None:
        self.broken = False
        self.published: bytes | None = None
        self.pages = True  # False: the Pages address answers 404, the API only has the publication

    def beta(self, handler: BaseHTTPRequestHandler) -> None:
        if self.broken and handler.path.startswith("/conformance"):
            reply(handler, 500, '{"code": "panne"}')
        else:
            fake_ogc_api(handler)

    def publication(self, handler: BaseHTTPRequestHandler) -> None:
        api = handler.path.startswith("/api/v4/") and handler.headers.get("JOB-TOKEN") == TOKEN
        if self.published is not None and (api or (self.pages and handler.path == "/pages/matrix.json")):
            reply(handler, 200, self.published)
        else:
            reply(handler, 404, "{}")


@pytest.fixture()
def platforms(tmp_path: Path) -> Iterator[tuple[Platforms, Path, str]]:
    state = Platforms()
    with serve(fake_ogc_api) as (alpha, _), serve(state.beta) as (beta, _), \
            serve(state.publication) as (publication, _):
        folder = tmp_path / "depot"
        (folder / "targets").mkdir(parents=True)
        write_target(folder / "targets", "alpha", alpha)
        write_target(folder / "targets", "beta", beta)
        yield state, folder, publication


def bash(script: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # the project's cicclo, as installed
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=folder, capture_output=True, text=True,
                          timeout=600, check=False, env={**os.environ, "PATH": path, **env})


# -- GitLab CI ---------------------------------------------------------------------------------------------

GITLAB = yaml.safe_load((ROOT / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))


def gitlab_job(name: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    job = GITLAB[name]
    variables = {k: str(v) for k, v in GITLAB["variables"].items()}
    return bash("\n".join(job["script"]), folder, {**variables, "CICCLO_OPTIONS": OPTIONS, **env})


def gitlab_round(state: Platforms, folder: Path, publication: str) -> subprocess.CompletedProcess[str]:
    for target in TARGETS:
        proc = gitlab_job("campagne", folder, {"CIBLE": target})
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        assert (folder / "campagnes" / target / "junit.xml").is_file()
    return gitlab_job("matrice", folder, {
        "CI_PAGES_URL": publication + "pages", "CI_API_V4_URL": publication + "api/v4", "CI_PROJECT_ID": "7",
        "CI_DEFAULT_BRANCH": "main", "CI_JOB_TOKEN": TOKEN})


def test_gitlab_jobs_install_only_the_wheel_and_hand_junit_to_the_test_report() -> None:
    installation = "\n".join(GITLAB[".cicclo"]["before_script"])
    assert "pip install -q $CICCLO_PAQUET" in installation and "setup" not in installation
    assert GITLAB["campagne"]["extends"] == GITLAB["matrice"]["extends"] == ".cicclo"
    assert GITLAB["campagne"]["artifacts"]["reports"]["junit"] == "campagnes/$CIBLE/junit.xml"


def test_gitlab_merge_job_fails_on_a_regression(platforms: tuple[Platforms, Path, str]) -> None:
    state, folder, publication = platforms
    first = gitlab_round(state, folder, publication)
    assert first.returncode == 0 and "première publication" in first.stdout, first.stdout + first.stderr
    state.published = (folder / "public" / "matrix.json").read_bytes()
    same = gitlab_round(state, folder, publication)
    assert same.returncode == 0, same.stdout + same.stderr
    state.broken, state.pages = True, False  # and the previous publication only in the artifacts API
    regressed = gitlab_round(state, folder, publication)
    assert regressed.returncode != 0, regressed.stdout + regressed.stderr
    assert "/jobs/artifacts/main/raw/public/matrix.json?job=matrice" in regressed.stdout
    assert json.loads((folder / "public" / "diff.json").read_text(encoding="utf-8"))["regressions"]


# -- GitHub Actions ----------------------------------------------------------------------------------------

GITHUB = yaml.safe_load((ROOT / "ci" / "github-actions.yml").read_text(encoding="utf-8"))


def github_job(name: str, folder: Path, expressions: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The job's own run steps, each in its own shell, with ${{ … }} replaced by the values given."""
    env = {**{k: str(v) for k, v in GITHUB["env"].items()}, "CICCLO_OPTIONS": OPTIONS}
    proc: subprocess.CompletedProcess[str] | None = None
    for step in GITHUB["jobs"][name]["steps"]:
        if "run" not in step or step.get("id") == "installer":
            continue
        step_env = {k: re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: expressions[m.group(1)], str(v))
                    for k, v in step.get("env", {}).items()}
        proc = bash(step["run"], folder, {**env, **step_env})
        if proc.returncode:
            return proc
    assert proc is not None
    return proc


def github_round(state: Platforms, folder: Path, publication: str) -> subprocess.CompletedProcess[str]:
    shutil.rmtree(folder / "campagnes", ignore_errors=True)
    for target in TARGETS:
        proc = github_job("campagne", folder, {"matrix.cible": target})
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    for target in TARGETS:  # what actions/download-artifact gives the merge job: one folder per artifact
        shutil.move(folder / "campagnes" / target, folder / "campagnes" / f"campagne-{target}")
    return github_job("matrice", folder, {"steps.pages.outputs.base_url": publication + "pages"})


def test_github_jobs_install_only_the_wheel_and_publish_with_the_official_pages_actions() -> None:
    jobs = GITHUB["jobs"]
    for name in ("campagne", "matrice"):
        installation = next(s["run"] for s in jobs[name]["steps"] if s.get("id") == "installer")
        assert "pip install -q dist/cicclo-*.whl" in installation and "setup" not in installation
    uses = {s.get("uses", "").split("@")[0] for job in jobs.values() for s in job["steps"]}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    assert "mikepenz/action-junit-report" in uses


def test_github_merge_job_fails_on_a_regression(platforms: tuple[Platforms, Path, str]) -> None:
    state, folder, publication = platforms
    first = github_round(state, folder, publication)
    assert first.returncode == 0 and "première publication" in first.stdout, first.stdout + first.stderr
    state.published = (folder / "public" / "matrix.json").read_bytes()
    same = github_round(state, folder, publication)
    assert same.returncode == 0, same.stdout + same.stderr
    state.broken = True
    regressed = github_round(state, folder, publication)
    assert regressed.returncode != 0, regressed.stdout + regressed.stderr
    assert json.loads((folder / "public" / "diff.json").read_text(encoding="utf-8"))["regressions"]


# -- the editor's templates: the suite against the editor's own server -------------------------------------

@pytest.mark.parametrize("template", ["editeur-gitlab-ci.yml", "editeur-github-actions.yml"])
def test_editor_template_fails_on_a_must_failure_and_passes_on_success(template: str, tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "ci" / template).read_text(encoding="utf-8"))
    if "jobs" in doc:
        job = doc["jobs"]["cicclo"]
        script, variables = next(s["run"] for s in job["steps"] if s.get("name") == "conformité"), job["env"]
    else:
        job = doc["conformite-cicclo"]
        script, variables = "\n".join(job["script"]), job["variables"]
    with serve(fake_ogc_api) as (url, _):
        (tmp_path / "ci").mkdir()
        shutil.copy(write_target(tmp_path, "candidat", url), tmp_path / variables["CICCLO_CIBLE"])
        env = {**{k: str(v) for k, v in variables.items()}, "CICCLO_URL": url}
        failing = bash(script, tmp_path, {**env, "CICCLO_OPTIONS": "--suite oapif -k OAPIF-CORE-004"})
        assert failing.returncode == 1, failing.stdout[-2000:] + failing.stderr[-2000:]
        assert (tmp_path / "conformite" / "junit.xml").is_file()
        passing = bash(script, tmp_path, {**env, "CICCLO_OPTIONS": "--suite oapif -k OAPIF-CORE-003"})
        assert passing.returncode == 0, passing.stdout[-2000:] + passing.stderr[-2000:]
