"""Which probes exercise each requirement of OGC API Features Part 1 (1.0), clause by clause.

``COVERAGE`` is the source of the committed table ``suites/oapif/EXIGENCES.md`` (``render_markdown``);
``tests/test_oapif_coverage.py`` checks that the file is up to date, that every Part 1 requirement the suite
cites has rows here and that each row names tests that cite it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cicclo.oapif.uris import req

PART1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/req/"


@dataclass(frozen=True)
class Row:
    clause: str
    probes: str
    tests: tuple[str, ...]


def _rows(*rows: tuple[str, str, str]) -> list[Row]:
    return [Row(clause, probes, tuple(tests.split())) for clause, probes, tests in rows]


COVERAGE: dict[str, list[Row]] = {
    req("core/http"): _rows(
        ("HTTP/1.1 (et TLS pour une cible https)", "page d'accueil, /conformance, /collections, liens service-desc "
         "et service-doc : version HTTP de chaque réponse ; schéma https conservé", "OAPIF-CORE-001")),
    req("core/crs84"): _rows(
        ("géométries en CRS84 sans paramètre crs", "toutes les entités de chaque collection (parcours complet) : "
         "chaque coordonnée dans [-180, 180] × [-90, 90]", "OAPIF-CORE-002"),
        ("premier CRS global de /collections", "crs[0] de /collections = CRS84 ou CRS84h", "OAPIF-CORE-010")),
    req("core/root-op"): _rows(("GET {racine}/ → 200", "page d'accueil", "OAPIF-CORE-003")),
    req("core/root-success"): _rows(
        ("liens service-desc/service-doc, conformance, data", "rel de chaque lien de la page d'accueil",
         "OAPIF-CORE-004"),
        ("schéma landingPage.yaml", "validation jsonschema, format (date-time, uri) vérifié", "OAPIF-CORE-004")),
    req("core/api-definition-op"): _rows(
        ("chaque lien service-desc/service-doc → 200", "GET de chaque lien avec son type en Accept",
         "OAPIF-CORE-005")),
    req("core/api-definition-success"): _rows(
        ("la définition se lit dans son format", "JSON ou YAML selon le type annoncé ; OpenAPI 3.x (Swagger 2.0 "
         "refusé), info et paths présents", "OAPIF-CORE-006")),
    req("core/conformance-op"): _rows(
        ("GET /conformance et chaque lien conformance → 200", "/conformance ; chaque lien rel=conformance",
         "OAPIF-CORE-007")),
    req("core/conformance-success"): _rows(
        ("schéma confClasses.yaml, classe Cœur déclarée", "validation jsonschema ; conformsTo contient /conf/core ; "
         "indices de classes implémentées non déclarées (notes)", "OAPIF-CORE-008")),
    req("core/fc-md-op"): _rows(("GET /collections → 200", "/collections", "OAPIF-CORE-009")),
    req("core/fc-md-success"): _rows(
        ("schéma collections.yaml", "validation jsonschema, format vérifié", "OAPIF-CORE-010")),
    req("core/fc-md-links"): _rows(
        ("lien self et alternate par autre format, rel et type", "liens de /collections ; text/html si la classe "
         "html est déclarée", "OAPIF-CORE-011")),
    req("core/fc-md-items"): _rows(
        ("chaque collection offerte est listée", "chemins littéraux /collections/{id} de la définition comparés aux "
         "identifiants de /collections", "OAPIF-CORE-012"),
        ("id, liens, étendue valide", "schéma collection.yaml (format vérifié), bbox de 4 ou 6 nombres dans les "
         "bornes CRS84", "OAPIF-CORE-012")),
    req("core/fc-md-items-links"): _rows(
        ("un lien items par format d'entités offert", "types des liens rel=items (GeoJSON, HTML selon /conformance)",
         "OAPIF-CORE-013")),
    req("core/fc-md-extent"): _rows(
        ("l'étendue spatiale couvre toutes les géométries", "parcours complet, enveloppes comparées à la bbox "
         "(antiméridien compris)", "OAPIF-CORE-014"),
        ("l'étendue temporelle couvre toutes les dates, null = ouverte", "valeurs temporelles de toutes les entités",
         "OAPIF-CORE-014")),
    req("core/sfc-md-op"): _rows(("GET /collections/{id} → 200", "chaque collection listée", "OAPIF-CORE-015")),
    req("core/sfc-md-success"): _rows(
        ("concorde avec l'entrée de /collections", "id, title, description, extent, itemType, liens",
         "OAPIF-CORE-016")),
    req("core/fc-op"): _rows(
        ("GET …/items → 200, aussi avec bbox, limit, datetime", "sans paramètre, limit=5, bbox au centre de "
         "l'étendue, datetime=2000-01-01T00:00:00Z/..", "OAPIF-CORE-017")),
    req("core/fc-bbox-definition"): _rows(
        ("paramètre bbox optionnel, query, form, explode=false", "objet Parameter de chaque opération items",
         "OAPIF-CORE-018"),
        ("tableau de 4 ou 6 nombres", "forme minItems 4/maxItems 6 (1.0.0) et fragment oneOf 4|6 publié par l'OGC "
         "(1.0.1) acceptés", "OAPIF-CORE-018"),
        ("minx > maxx : boîte à cheval sur l'antiméridien", "voir fc-bbox-response", "OAPIF-CORE-034")),
    req("core/fc-bbox-response"): _rows(
        ("A : seules les entités qui intersectent la boîte", "boîte au centre de l'étendue et boîte hors de "
         "l'étendue, toutes les pages : chaque géométrie renvoyée intersecte (shapely)", "OAPIF-CORE-019"),
        ("A : toutes les entités de la boîte (complétude)", "comparaison avec le parcours complet de la collection",
         "OAPIF-CORE-019"),
        ("boîte traversant l'antiméridien (minx > maxx)", "boîte couvrant l'étendue par l'ouest de l'antiméridien et "
         "boîte 179,…,-179 hors des données", "OAPIF-CORE-034"),
        ("un lien next d'une requête bbox doit répondre", "toute page suivante en erreur est un FAIL",
         "OAPIF-CORE-019")),
    req("core/fc-limit-definition"): _rows(
        ("paramètre limit optionnel, entier, form, explode=false ; minimum/maximum/default", "objet Parameter de "
         "chaque opération items", "OAPIF-CORE-020")),
    req("core/fc-limit-response"): _rows(
        ("au plus limit entités", "limit=1 et limit=7 (requête valide : une erreur est un FAIL)", "OAPIF-CORE-021"),
        ("au plus le maximum déclaré ; au-delà, pas d'erreur : le maximum remplace la valeur (C)", "limit = "
         "maximum + 1000 : seul un 200 plafonné passe, un 400 est un FAIL", "OAPIF-CORE-021"),
        ("sous le minimum déclaré", "limit=0 (minimum ≥ 1 ou absent) : 400 ou 200 sans entité admis, la note dit "
         "lequel", "OAPIF-CORE-021")),
    req("core/fc-time-definition"): _rows(
        ("paramètre datetime optionnel, chaîne, form, explode=false", "objet Parameter de chaque opération items",
         "OAPIF-CORE-022")),
    req("core/fc-time-response"): _rows(
        ("A : seules les entités dont le temps intersecte", "instant, intervalle fermé, « ../t », « t/.. », "
         "intervalle hors des données, tirés des dates réellement présentes, toutes les pages", "OAPIF-CORE-023"),
        ("A : toutes les entités de l'intervalle (complétude)", "comparaison avec le parcours complet (une valeur "
         "temporelle par entité)", "OAPIF-CORE-023"),
        ("D : syntaxe ABNF", "« ../.. » (hors ABNF) et intervalle inversé : 400 ou 200 exact admis, la note dit "
         "lequel ; « pas-une-date » → 400 (query-param-invalid)", "OAPIF-CORE-023 OAPIF-CORE-024"),
        ("E : date-time RFC 3339", "dates avec Z et dates seules", "OAPIF-CORE-023"),
        ("F : borne ouverte par « .. » ou chaîne vide", "« /t » et « t/ » comparés à « ../t » et « t/.. »",
         "OAPIF-CORE-035")),
    req("core/query-param-invalid"): _rows(
        ("valeur invalide → 400", "limit=unlimited, bbox=1,2,3, bbox=0,10,1,5 (miny > maxy), datetime=pas-une-date",
         "OAPIF-CORE-024")),
    req("core/query-param-unknown"): _rows(
        ("paramètre non déclaré → 400", "cicclo_parametre_inconnu=1, sauf paramètres libres déclarés",
         "OAPIF-CORE-025")),
    req("core/fc-response"): _rows(
        ("type FeatureCollection, tableau features", "première page de chaque collection", "OAPIF-CORE-026"),
        ("pagination : chaque entité une fois, sans boucle, liens next servis", "parcours complet ; page suivante en "
         "erreur = FAIL", "OAPIF-CORE-026")),
    req("core/fc-links"): _rows(
        ("self et alternate par autre format", "première page de chaque collection", "OAPIF-CORE-027")),
    req("core/fc-rel-type"): _rows(("rel et type sur les liens", "liens self, alternate, next, prev",
                                    "OAPIF-CORE-027")),
    req("core/fc-timeStamp"): _rows(
        ("heure de génération de la réponse", "comparée à l'en-tête Date (5 min de tolérance)", "OAPIF-CORE-028")),
    req("core/fc-numberMatched"): _rows(
        ("nombre d'entités sélectionnées", "compté en suivant toutes les pages : sans filtre, sous bbox, sous "
         "datetime", "OAPIF-CORE-029"),
        ("identique sur toutes les pages", "pages d'un tiers de la collection : numberMatched de chaque page",
         "OAPIF-CORE-029")),
    req("core/fc-numberReturned"): _rows(
        ("nombre d'entités de la page", "chaque page du parcours complet, limit=1 et limit=7", "OAPIF-CORE-030")),
    req("core/f-op"): _rows(("GET …/items/{featureId} → 200", "échantillon réparti sur toute la collection",
                             "OAPIF-CORE-031")),
    req("core/f-success"): _rows(("document Feature", "échantillon ; corps lisible, type Feature", "OAPIF-CORE-032")),
    req("core/f-links"): _rows(("self, alternate, collection", "échantillon", "OAPIF-CORE-033")),
    req("geojson/definition"): _rows(
        ("application/geo+json pour les entités, application/json sinon", "types des réponses 200",
         "OAPIF-GEOJSON-001")),
    req("geojson/content"): _rows(
        ("RFC 7946 et schémas OGC", "schémas GeoJSON et featureGeoJSON/featureCollectionGeoJSON (format vérifié), "
         "géométries valides, id = featureId", "OAPIF-GEOJSON-002")),
    req("html/definition"): _rows(("text/html quand HTML est demandé", "chaque type de ressource",
                                   "OAPIF-HTML-001")),
    req("html/content"): _rows(
        ("documents HTML5", "doctype HTML5 après espaces et commentaires éventuels, document complet, titre, liens",
         "OAPIF-HTML-002")),
    req("gmlsf0/definition"): _rows(("type de média GML-SF0", "entités demandées en GML-SF0", "OAPIF-GMLSF0-001")),
    req("gmlsf0/content"): _rows(("élément racine", "documents GML-SF0", "OAPIF-GMLSF0-002")),
    req("gmlsf0/headers"): _rows(("en-têtes cohérents", "documents GML-SF0", "OAPIF-GMLSF0-002")),
    req("gmlsf2/definition"): _rows(("type de média GML-SF2", "entités demandées en GML-SF2", "OAPIF-GMLSF2-001")),
    req("gmlsf2/content"): _rows(("élément racine", "documents GML-SF2", "OAPIF-GMLSF2-002")),
    req("gmlsf2/headers"): _rows(("en-têtes cohérents", "documents GML-SF2", "OAPIF-GMLSF2-002")),
    req("oas30/completeness"): _rows(
        ("la définition décrit les réponses réelles", "chaque type de ressource et une entité inconnue, validés par "
         "openapi-core (corps GeoJSON lus comme JSON)", "OAPIF-OAS30-001")),
    req("oas30/exceptions-codes"): _rows(
        ("codes d'erreur décrits", "limit invalide et entité inconnue", "OAPIF-OAS30-002")),
    req("oas30/oas-definition-1"): _rows(
        ("service-desc OpenAPI 3.0 JSON et service-doc HTML", "liens et types servis", "OAPIF-OAS30-003")),
    req("oas30/oas-definition-2"): _rows(("document OpenAPI 3.0 valide", "openapi-spec-validator hors ligne",
                                          "OAPIF-OAS30-004")),
    req("oas30/oas-impl"): _rows(
        ("chaque chemin implémenté", "chaque chemin GET instancié avec les collections et entités réelles : succès "
         "attendu (404/5xx = non implémenté), code décrit", "OAPIF-OAS30-005"),
        ("URL du serveur", "URL du serveur + chemin /collections comparés à l'URL réelle : un seul diagnostic",
         "OAPIF-OAS30-005")),
    req("oas30/security"): _rows(
        ("authentification décrite", "401/403 observés ou authentification du fichier cible", "OAPIF-OAS30-006")),
}


def render_markdown() -> str:
    lines = ["# OGC API Features Partie 1 : exigences et sondes",
             "",
             "Fichier généré par `cicclo.oapif.coverage.render_markdown` (vérifié par tests/test_oapif_coverage.py) : "
             "pour chaque exigence, clause par clause, les requêtes que la suite envoie et les tests qui en "
             "jugent.",
             "",
             "| Exigence | Clause | Sondes | Tests |",
             "|---|---|---|---|"]
    for uri, rows in COVERAGE.items():
        for row in rows:
            lines.append(f"| `{uri.removeprefix(PART1)}` | {row.clause} | {row.probes} | {', '.join(row.tests)} |")
    return "\n".join(lines) + "\n"
