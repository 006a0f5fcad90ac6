"""Target files: one YAML file per platform, validated by ``schemas/target.schema.json``.

Errors name the file, the line and the field. Secrets are read from the environment variables a target
names; a target file never holds a secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml

from cicclo.errors import ConfigurationError
from cicclo.http import Limits, host_key
from cicclo.parsing import yaml_document
from cicclo.resources import DATA_ROOT, SCHEMAS_DIR, TARGETS_DIR, published_path

REPO_ROOT = DATA_ROOT  # the repository, or the package data of an installed wheel (same layout)
TARGET_SCHEMA = SCHEMAS_DIR / "target.schema.json"
MIN_SECRET_LENGTH = 6


@dataclass(frozen=True)
class Service:
    name: str
    url: str | None = None
    builtin: str | None = None
    documented: bool = True
    note: str = ""
    extra_hosts: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Budgets:
    """Limits on the work done on very large targets; a budget that cuts the work is always reported."""

    max_collections: int | None = None
    max_pages: int | None = None
    max_features: int = 20
    max_records: int = 200
    max_links: int = 50


@dataclass
class Target:
    id: str
    name: str
    path: Path
    services: dict[str, Service]
    product: str = ""
    product_version: str = ""
    editor: str = ""
    notes: str = ""
    auth: dict[str, str] | None = None
    limits: Limits = field(default_factory=Limits)
    budgets: Budgets = field(default_factory=Budgets)
    allow_write: bool = False
    redact_params: tuple[str, ...] = ()

    def secrets(self) -> dict[str, str]:
        """Environment variable name -> value, for redaction and authentication."""
        if not self.auth:
            return {}
        name = self.auth["env"]
        value = os.environ.get(name, "")
        if not value:
            raise ConfigurationError(f"{self.path}: la variable d'environnement {name} (auth.env) est vide ou absente")
        if len(value) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"{self.path}: la valeur de {name} est trop courte pour être un secret")
        return {name: value}

    def auth_parts(self) -> tuple[dict[str, str], dict[str, str]]:
        """Headers and query parameters to add to every request."""
        if not self.auth:
            return {}, {}
        value = self.secrets()[self.auth["env"]]
        kind = self.auth["type"]
        if kind == "bearer":
            return {"Authorization": f"Bearer {value}"}, {}
        if kind == "header":
            return {self.auth["name"]: value}, {}
        return {}, {self.auth["name"]: value}

    def hosts(self) -> set[str]:
        """The 'host:port' the suite may contact: those of the services' URLs (options included, e.g. a login
        page or a test provider) and the declared extra hosts ('host' for its default ports, or 'host:port')."""
        hosts: set[str] = set()
        for svc in self.services.values():
            hosts.update(host_key(url) for url in (svc.url, *_option_urls(svc.options)) if url)
            hosts.update(h.lower() for h in svc.extra_hosts)
            for lab in _lab_options(svc.options):
                hosts.add(f"127.0.0.1:{lab['provider_port']}")
        hosts.discard("")
        return hosts

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "product": self.product,
            "product_version": self.product_version,
            "editor": self.editor,
            "file": published_path(self.path),
            "services": {
                k: {"url": s.url, "builtin": s.builtin, "documented": s.documented, "note": s.note}
                for k, s in self.services.items()
            },
        }


def _option_urls(value: Any) -> Iterator[str]:
    """Every http(s) URL in a service's options, at any depth."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith(("http://", "https://")):
            yield item


def _lab_options(options: dict[str, Any]) -> list[dict[str, Any]]:
    labs = [options.get("lab"), *(options.get("lab_variants") or [])]
    return [lab for lab in labs if isinstance(lab, dict) and isinstance(lab.get("provider_port"), int)]


@cache
def _schema() -> dict[str, Any]:
    return json.loads(TARGET_SCHEMA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _line_of(node: yaml.Node | None, path: list[Any]) -> int | None:
    """The 1-based line of the YAML node at ``path`` (or of its closest existing parent)."""
    line = node.start_mark.line + 1 if node else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        else:
            child = None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


SERVICE_RULE = ("un service déclare exactement un de : url (point d'accès public), builtin (plateforme intégrée) "
                "ou documented: false avec une note")


def _describe(path: Path, node: yaml.Node | None, err: jsonschema.ValidationError) -> str:
    """'file:line: champ a.b : message' for one schema error, pointing at the offending key."""
    where = list(err.absolute_path)
    message = err.message
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        if extra:
            where.append(extra[0])
            message = f"champ inconnu (champs admis : {', '.join(sorted(allowed))})"
    elif err.validator == "oneOf" and len(where) == 2 and where[0] == "services":
        message = SERVICE_RULE
    field_path = ".".join(str(p) for p in where) or "(racine)"
    return f"{path}:{_line_of(node, where)}: champ {field_path} : {message}"


def resolve_target_path(name_or_file: str) -> Path:
    candidate = Path(name_or_file)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name_or_file:
        if not candidate.is_file():
            raise ConfigurationError(f"{name_or_file}: fichier cible introuvable")
        return candidate.absolute()
    path = TARGETS_DIR / f"{name_or_file}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in TARGETS_DIR.glob("*.yaml")))
        raise ConfigurationError(f"cible inconnue {name_or_file!r} (cibles connues : {known})")
    return path


def _read_text(path: Path) -> str:
    """The file as UTF-8; a byte that is not UTF-8 is refused with its line and column."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigurationError(f"{path}:{line}: le fichier n'est pas en UTF-8 (octet 0x{raw[exc.start]:02x} "
                                 f"en colonne {column}) ; enregistrez-le en UTF-8") from None


def _url_problems(path: Path, node: yaml.Node | None, data: dict[str, Any]) -> list[str]:
    """Service URLs (options included) that name no host or carry a credential in clear."""
    problems = []
    for name, svc in data["services"].items():
        for where, url in [(["services", name, "url"], svc.get("url")),
                           *_option_url_fields(["services", name, "options"], svc.get("options"))]:
            if not isinstance(url, str):
                continue
            parts = urlsplit(url)
            field_path = ".".join(str(p) for p in where)
            try:
                parts.port  # noqa: B018 - raises on a port that is not a number
            except ValueError:
                problems.append(f"{path}:{_line_of(node, where)}: champ {field_path} : port invalide dans {url!r}")
                continue
            if not parts.hostname:
                problems.append(f"{path}:{_line_of(node, where)}: champ {field_path} : URL sans hôte ({url!r})")
    return problems


def _option_url_fields(where: list[Any], value: Any) -> Iterator[tuple[list[Any], str]]:
    stack = [(where, value)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, dict):
            stack.extend(([*at, k], v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend(([*at, i], v) for i, v in enumerate(item))
        elif isinstance(item, str) and item.startswith(("http://", "https://")):
            yield at, item


def load_target(name_or_file: str) -> Target:
    path = resolve_target_path(name_or_file)
    text = _read_text(path)
    try:
        node, data = yaml_document(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigurationError(f"{where}: YAML invalide : {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}:1: le fichier cible doit être un objet YAML (clé: valeur)")
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path)
    )
    if errors:
        raise ConfigurationError("\n".join(_describe(path, node, err) for err in errors))
    problems = _url_problems(path, node, data)
    if problems:
        raise ConfigurationError("\n".join(problems))
    if data["id"] != path.stem and path.parent.resolve() == TARGETS_DIR.resolve():
        raise ConfigurationError(
            f"{path}:{_line_of(node, ['id'])}: champ id : {data['id']!r} doit être le nom du fichier ({path.stem!r})"
        )
    limits = data.get("limits", {})
    defaults = Limits()
    return Target(
        id=data["id"],
        name=data["name"],
        path=path,
        services={
            name: Service(
                name=name,
                url=svc.get("url"),
                builtin=svc.get("builtin"),
                documented=svc.get("documented", True),
                note=svc.get("note", ""),
                extra_hosts=tuple(svc.get("extra_hosts", ())),
                options=dict(svc.get("options", {})),
            )
            for name, svc in data["services"].items()
        },
        product=data.get("product", ""),
        product_version=str(data.get("product_version", "")),
        editor=data.get("editor", ""),
        notes=data.get("notes", ""),
        auth=data.get("auth"),
        limits=Limits(
            connect_timeout=limits.get("connect_timeout_s", defaults.connect_timeout),
            read_timeout=limits.get("read_timeout_s", defaults.read_timeout),
            request_timeout=limits.get("request_timeout_s", defaults.request_timeout),
            max_body_bytes=int(limits.get("max_body_mb", defaults.max_body_bytes / 1024 / 1024) * 1024 * 1024),
            run_budget_s=limits.get("run_budget_s", defaults.run_budget_s),
            concurrency=limits.get("concurrency", defaults.concurrency),
            retries=limits.get("retries", defaults.retries),
            breaker_threshold=limits.get("breaker_threshold", defaults.breaker_threshold),
            breaker_cooldown_s=limits.get("breaker_cooldown_s", defaults.breaker_cooldown_s),
        ),
        budgets=Budgets(**data.get("budgets", {})),
        allow_write=bool(data.get("allow_write", False)),
        redact_params=tuple(data.get("redact_params", ())),
    )


def literal_credentials(target: Target) -> list[str]:
    """Warnings for credentials written in clear in a target file (userinfo, credential query parameters):
    they are masked in every output, but belong in an environment variable named by ``auth``."""
    from cicclo.redact import Redactor

    red = Redactor(credential_params=target.redact_params)
    text = target.path.read_text(encoding="utf-8", errors="replace")
    warnings = []
    for number, line in enumerate(text.splitlines(), start=1):
        if red.text(line) != line:
            warnings.append(f"{target.path}:{number}: un identifiant ou un secret est écrit en clair dans le "
                            "fichier cible (il est masqué dans les sorties, mais sa place est une variable "
                            "d'environnement nommée par auth.env)")
    return warnings


def all_target_paths() -> list[Path]:
    return sorted(TARGETS_DIR.glob("*.yaml"))
