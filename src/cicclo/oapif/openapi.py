"""The API definition of an OGC API Features endpoint, read and validated offline.

References to OGC schemas (``https://schemas.opengis.net/...``) are resolved from the copies shipped in
``schemas/external``; any other external reference is refused, never downloaded.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from jsonschema_path import SchemaPath
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from cicclo.errors import NotTested
from cicclo.http import Exchange
from cicclo.oapif.context import OPENAPI_JSON, OapifContext, find_links, media_type, same_media_type
from cicclo.oapif.schemas import load_external

_DEFINITIONS: weakref.WeakKeyDictionary[OapifContext, ApiDefinition] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
MAX_MESSAGES = 6
#: the JSON media types of OGC APIs, which openapi-core would otherwise validate as raw bytes
JSON_MEDIA_TYPES: dict[str, Any] = {mt: json.loads for mt in (
    "application/geo+json", "application/vnd.oai.openapi+json", "application/ld+json", "application/problem+json",
    "application/schema+json")}


# -- offline resolution -------------------------------------------------------------------------------

def _pointer(doc: Any, fragment: str) -> Any:
    """The node a JSON pointer fragment designates (KeyError/IndexError/TypeError when absent)."""
    for part in [p for p in fragment.split("/") if p]:
        key = part.replace("~1", "/").replace("~0", "~")
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    return doc


def _is_shipped(url: str) -> bool:
    try:
        load_external(url)
    except LookupError:
        return False
    return True


def _target(ref: str, base: str | None) -> str | None:
    """The absolute URL a reference points into, or None for a reference internal to the API document.

    At the top of the API document only absolute references leave it; inside an inlined external document
    every reference (``#/...`` included) is relative to that document.
    """
    if base is None:
        return ref if ref.startswith(("http://", "https://")) else None
    return urljoin(base, ref)


def offline_document(document: Any, unresolved: set[str], base: str | None = None,
                     active: tuple[str, ...] = ()) -> Any:
    """A copy of an OpenAPI document whose external references are inlined from the shipped copies.

    A reference that is not shipped is added to ``unresolved``: a parameter defined there is dropped (it
    has no name to check), any other object becomes a stub with only a description. A recursive external
    schema is inlined once; its inner recursion accepts anything.
    """
    if isinstance(document, list):
        return [offline_document(item, unresolved, base, active) for item in document
                if not _unshipped_parameter(item, base, unresolved)]
    if not isinstance(document, dict):
        return document
    ref = document.get("$ref")
    target = _target(ref, base) if isinstance(ref, str) else None
    if target is None:
        return {k: offline_document(v, unresolved, base, active) for k, v in document.items()}
    if target in active:
        return {}
    url, _, fragment = target.partition("#")
    try:
        content = _pointer(load_external(url), fragment)
    except (LookupError, KeyError, IndexError, TypeError, ValueError):
        unresolved.add(url)
        return {"description": f"référence non disponible hors ligne : {url}"}
    return offline_document(content, unresolved, url, (*active, target))


def _unshipped_parameter(item: Any, base: str | None, unresolved: set[str]) -> bool:
    ref = item.get("$ref") if isinstance(item, dict) else None
    target = _target(ref, base) if isinstance(ref, str) else None
    if target is None or "parameters" not in target or _is_shipped(target.split("#")[0]):
        return False
    unresolved.add(target.split("#")[0])
    return True


def _refuse(uri: str) -> Any:
    raise LookupError(f"référence externe non résolue hors ligne : {uri}")


#: jsonschema-path handlers: shipped OGC schemas only, nothing is ever downloaded
OFFLINE_HANDLERS: dict[str, Any] = {
    "http": load_external, "https": load_external, "file": _refuse, "<all_urls>": _refuse,
}


def schema_path(document: Mapping[str, Any]) -> SchemaPath:
    """A jsonschema-path view whose external references resolve from the shipped copies only."""
    return SchemaPath.from_dict(document, handlers=OFFLINE_HANDLERS)


# -- the definition -----------------------------------------------------------------------------------

@dataclass
class ApiDefinition:
    """An OpenAPI document as served by the API, with an offline, self-contained copy for validation."""

    url: str
    exchange: Exchange
    document: dict[str, Any]
    server_url: str
    unresolved: set[str] = field(default_factory=set)
    offline: dict[str, Any] = field(default_factory=dict)
    #: where the definition's paths really sit: the path of the first server URL when it composes with the
    #: paths into the API's real URLs, else the mount point deduced from the real /collections URL
    base_path: str = ""
    #: the part of the definition's paths before /collections (usually empty)
    path_prefix: str = ""
    #: why the first server URL and the paths do not compose into the real URLs (None when they do)
    composition_problem: str | None = None
    _validator: OpenAPI | None = field(default=None, repr=False)
    _validator_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.base_path = urlsplit(self.server_url).path.rstrip("/")

    def locate(self, collections_url: str) -> None:
        """Compare server URL + the definition's /collections path with the real /collections URL; when they
        differ, record one precise diagnosis and read the paths where the API really serves them."""
        real = urlsplit(collections_url).path.rstrip("/")
        templates = [t for t in self.paths() if t.rstrip("/").endswith("/collections")]
        if not templates:
            return
        template = min(templates, key=len).rstrip("/")
        self.path_prefix = template[: -len("/collections")]
        composed = self.base_path + template
        if composed == real:
            return
        self.composition_problem = (
            f"l'URL du serveur {self.server_url!r} et le chemin {template!r} de la définition composent "
            f"{composed!r}, mais la liste des collections est servie à {real!r} : les chemins de la définition "
            "ne désignent pas les ressources réelles")
        mount = real[: -len("/collections")]
        if self.path_prefix and mount.endswith(self.path_prefix):
            mount = mount[: -len(self.path_prefix)]
        self.base_path = mount
        self.server_url = urlsplit(collections_url)._replace(path=mount + "/", query="", fragment="").geturl()

    def paths(self) -> dict[str, Any]:
        paths = self.offline.get("paths")
        return paths if isinstance(paths, dict) else {}

    def resolve(self, node: Any) -> Any:
        """Follow internal ``$ref`` (external ones are already inlined) until a concrete object."""
        for _ in range(20):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            try:
                node = _pointer(self.offline, node["$ref"].partition("#")[2])
            except (KeyError, IndexError, TypeError, ValueError):
                return {}
        return {}

    def operation(self, path_template: str, method: str = "get") -> dict[str, Any] | None:
        item = self.resolve(self.paths().get(path_template))
        op = self.resolve(item.get(method)) if isinstance(item, dict) else None
        return op if isinstance(op, dict) else None

    def match_path(self, concrete: str) -> str | None:
        """The path template of the definition that matches a concrete path (a literal path first)."""
        if concrete in self.paths():
            return concrete
        for template in self.paths():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, concrete):
                return template
        return None

    def relative_path(self, url: str) -> str:
        """The path of ``url`` relative to the first server URL."""
        path = urlsplit(url).path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):]
        return path or "/"

    def items_parameters(self, collection_id: str) -> dict[str, dict[str, Any]]:
        """Parameters declared for GET on the items path of a collection (literal or templated path),
        path-level and operation-level merged, every reference resolved."""
        template = self.match_path(f"{self.path_prefix}/collections/{collection_id}/items")
        if template is None:
            return {}
        item = self.resolve(self.paths()[template])
        op = self.operation(template) or {}
        params: dict[str, dict[str, Any]] = {}
        for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            param = self.resolve(raw)
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                if isinstance(param.get("schema"), dict):
                    param = {**param, "schema": self.resolve(param["schema"])}
                params[param["name"]] = param
        return params

    def documented_statuses(self, url: str) -> tuple[str | None, set[str]]:
        """The path template matching ``url`` and the response keys declared for GET on it."""
        template = self.match_path(self.relative_path(url))
        op = self.operation(template) if template else None
        responses = op.get("responses") if op else None
        return template, set(map(str, responses)) if isinstance(responses, dict) else set()

    def response_errors(self, exchange: Exchange, path_template: str | None = None) -> list[str]:
        """Errors of a real response against this definition (openapi-core, offline); [] = valid.

        The request is placed under the first server URL, so a definition is judged on its paths even when
        the API is reached through another host name. ``path_template`` forces the operation to validate
        against (otherwise openapi-core picks the path that matches the URL).
        """
        request = _CoreRequest(exchange, self, path_template)
        try:
            self._openapi().validate_response(request, _CoreResponse(exchange))
        except OpenAPIError as exc:
            return _describe(exc)
        return []

    def _openapi(self) -> OpenAPI:
        """openapi-core on the offline copy; its own validation of the document is OAPIF-OAS30-004's job."""
        with self._validator_lock:
            if self._validator is None:
                try:
                    config = Config(spec_validator_cls=None, extra_media_type_deserializers=JSON_MEDIA_TYPES)
                    self._validator = OpenAPI(schema_path(self.offline), config=config)
                    self._validator.response_validator_cls  # noqa: B018 - detects the OpenAPI version now
                except OpenAPIError as exc:
                    raise NotTested(f"définition de l'API inexploitable par le validateur : {exc}") from None
            return self._validator


def _describe(exc: Exception) -> list[str]:
    """One message per schema error of an openapi-core error, whole (reporters shorten them for display)."""
    cause = exc.__cause__
    errors = list(getattr(cause, "schema_errors", None) or [])
    if not errors:
        return [f"réponse non conforme à la définition : {cause or exc}"]
    messages = []
    for err in errors[:MAX_MESSAGES]:
        where = "/".join(str(p) for p in getattr(err, "absolute_path", [])) or "(racine)"
        messages.append(f"{where} : {getattr(err, 'message', err)}")
    if len(errors) > MAX_MESSAGES:
        messages.append(f"… et {len(errors) - MAX_MESSAGES} autres erreurs de schéma")
    return messages


class _CoreRequest:
    """A recorded exchange, as the request openapi-core expects, placed under the first server URL."""

    def __init__(self, ex: Exchange, definition: ApiDefinition, path_template: str | None) -> None:
        server = urlsplit(definition.server_url)
        query = urlsplit(ex.url).query
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.path = definition.base_path + definition.relative_path(ex.url)
        self.path_pattern = definition.base_path + path_template if path_template else self.path
        self.method = ex.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
            header=Headers(dict(ex.request_headers)),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = ""
        self.body = None


class _CoreResponse:
    def __init__(self, ex: Exchange) -> None:
        self.status_code = ex.status or 0
        self.data = ex.body
        self.content_type = ex.content_type or ""
        self.headers = Headers(list(ex.headers.items()))


# -- loading ------------------------------------------------------------------------------------------

def service_desc_link(landing: dict[str, Any]) -> dict[str, Any] | None:
    """The service-desc link of the OpenAPI 3.0 JSON type, else any service-desc link in JSON."""
    links = [lk for lk in find_links(landing, "service-desc") if isinstance(lk.get("href"), str)]
    for lk in links:
        if same_media_type(lk.get("type"), OPENAPI_JSON):
            return lk
    for lk in links:
        if "json" in media_type(lk.get("type")):
            return lk
    return None


def _first_server_url(doc: dict[str, Any], definition_url: str) -> str:
    """The first server URL, absolute; without servers, OpenAPI says the server is '/'."""
    servers = doc.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    url = first.get("url") if isinstance(first, dict) else None
    return urljoin(definition_url, url if isinstance(url, str) else "/")


def _fetch_definition(api: OapifContext) -> ApiDefinition:
    link = service_desc_link(api.landing_json())
    if link is None:
        raise NotTested("pas de lien service-desc JSON sur la page d'accueil : définition de l'API indisponible")
    url = urljoin(api.root, link["href"])
    if not api.client.is_target_url(url):
        raise NotTested(f"définition de l'API hors des hôtes de la cible ({url}) : non contactée")
    ex = api.client.get(url, accept=OPENAPI_JSON)
    doc = api.precondition_json(ex, "définition de l'API (service-desc)")
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise NotTested("définition de l'API sans objet « paths » : inutilisable")
    definition = ApiDefinition(url=ex.url, exchange=ex, document=doc, server_url=_first_server_url(doc, ex.url))
    definition.offline = offline_document(doc, definition.unresolved)
    definition.locate(api.url("collections"))
    return definition


def load_definition(api: OapifContext) -> ApiDefinition:
    """The API definition linked from the landing page, fetched and prepared once per run.

    Raises NotTested when it is absent or unusable: the tests that own those resources report the FAIL.
    """
    with _LOCK:
        definition = _DEFINITIONS.get(api)
        if definition is None:
            definition = _DEFINITIONS[api] = _fetch_definition(api)
    api.client.get(definition.url, accept=OPENAPI_JSON)  # from the cache: attaches the evidence to this test
    return definition


# -- validation of the definition ---------------------------------------------------------------------

PROSE_KEYS = frozenset({"summary", "description", "operationId", "title", "tags"})


def _path_shape(template: str, item: Any) -> str:
    """A path item with its prose blanked and its template reduced to its variables: two paths of the same
    shape (a server describes each collection with the same operations) get the same key."""
    def blank(node: Any, key: str | None = None) -> Any:
        if key in PROSE_KEYS and isinstance(node, str):
            return ""
        if key == "tags" and isinstance(node, list) and all(isinstance(t, str) for t in node):
            return []
        if isinstance(node, dict):
            return {k: blank(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [blank(v) for v in node]
        return node

    return json.dumps([re.findall(r"\{[^}]*\}", template), blank(item)], sort_keys=True, default=str)


def paths_by_shape(paths: Mapping[str, Any]) -> dict[str, list[str]]:
    """The paths of a definition grouped by shape, keyed by the first path of each group (in document order).

    The OpenAPI 3.0 rules on a path item (parameters, responses, schemas) depend only on its shape, so one
    path of each group validates them all; operationId uniqueness, which spans paths, is
    :func:`duplicate_operation_ids`'s concern."""
    groups: dict[str, list[str]] = {}
    for template, item in paths.items():
        groups.setdefault(_path_shape(template, item), []).append(template)
    return {group[0]: group for group in groups.values()}


def duplicate_operation_ids(paths: Mapping[str, Any]) -> dict[str, list[str]]:
    """operationId values used by more than one operation ("METHOD path" list each): OpenAPI 3.0 requires
    them unique among all operations of the API."""
    seen: dict[str, list[str]] = {}
    for template, item in paths.items():
        for method, operation in (item.items() if isinstance(item, dict) else ()):
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                seen.setdefault(operation["operationId"], []).append(f"{method.upper()} {template}")
    return {op: uses for op, uses in seen.items() if len(uses) > 1}
