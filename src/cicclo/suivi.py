"""Deployment tracking: from a series of dated matrix publications, per platform and per family whether the
service is deployed (declared in the target file and answering), its base profile's state, and the history;
aggregated statistics (JSON, schema ``schemas/suivi.schema.json``, and CSV) for the collective's annual synthesis.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cicclo import __version__
from cicclo.classes import CSW202, OAPIF1, PROCONNECT_RP, PROCONNECT_RP_LAB
from cicclo.matrix import MatrixError
from cicclo.reporters.results_json import write_atomic

FORMAT = "cicclo/suivi"
FORMAT_VERSION = "1.0"
DEPLOYED, SILENT, ABSENT = "déployé", "déclaré, sans réponse", "non déclaré"


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    services: tuple[str, ...]  # the target services that declare it (any of them)
    class_prefixes: tuple[str, ...]  # the classes whose tests show the service answering
    profile: str  # the base profile

    def owns(self, uri: str) -> bool:
        return uri.startswith(self.class_prefixes)


FAMILIES = (
    Family("oapif", "OGC API Features", ("oapif",), (OAPIF1 + "/conf/",), "oapif-socle"),
    Family("proconnect", "ProConnect", ("proconnect_rp",), (PROCONNECT_RP, PROCONNECT_RP_LAB),
           "proconnect-fournisseur-service"),
    Family("csw", "Catalogue CSW", ("csw",), (CSW202,), "catalogue-csw"),
)


def load_publication(path: Path) -> dict[str, Any]:
    file = path / "matrix.json" if path.is_dir() else path
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MatrixError(f"{file} : publication illisible ({exc})") from None
    if doc.get("format") != "cicclo/matrix":
        raise MatrixError(f"{file} : pas une matrice cicclo (matrix.json)")
    if "published_at" not in doc:
        raise MatrixError(f"{file} : publication non datée (matrice antérieure à cicclo 0.3.0 : la refaire avec "
                          "`cicclo matrix … --date AAAA-MM-JJ`)")
    doc["_source"] = str(file)
    return doc


def family_state(family: Family, target: dict[str, Any], matrix: dict[str, Any]) -> dict[str, Any]:
    """One platform, one family, one publication: declared, answering (a test of the family was decided, PASS
    or FAIL: the service replied), and the base profile's state."""
    column = target["column"]
    declared = any(target.get("services", {}).get(s) for s in family.services)
    owned = {t["test_id"] for t in matrix["tests"] if family.owns(t["conformance_class"])}
    decided = [row[column]["status"] for test_id, row in matrix["cells"].items()
               if test_id in owned and row.get(column, {}).get("status") in ("PASS", "FAIL")]
    answering = declared and bool(decided)
    profile = target.get("profiles", {}).get(family.profile, {})
    return {"state": DEPLOYED if answering else SILENT if declared else ABSENT, "declared": declared,
            "answering": answering, "profile": family.profile, "profile_version": profile.get("version"),
            "profile_state": profile.get("state"), "profile_met": bool(profile.get("met")) and answering}


def build(publications: list[dict[str, Any]]) -> dict[str, Any]:
    if not publications:
        raise MatrixError("aucune publication à suivre")
    publications = sorted(publications, key=lambda p: str(p["published_at"]))
    dates = [str(p["published_at"]) for p in publications]
    if len(set(dates)) != len(dates):
        raise MatrixError("deux publications ont la même date : " + ", ".join(sorted({d for d in dates
                                                                                     if dates.count(d) > 1})))
    platforms: dict[str, Any] = {}
    stats = []
    for pub in publications:
        per_family = {f.key: {"declared": 0, "deployed": 0, "profile_met": 0} for f in FAMILIES}
        for target in pub["targets"]:
            entry = platforms.setdefault(target["id"], {"name": target["name"], "history": []})
            entry["name"] = target["name"]
            states = {f.key: family_state(f, target, pub) for f in FAMILIES}
            entry["history"].append({"date": pub["published_at"], "run_date": target["run_date"],
                                     "product": target.get("product", ""),
                                     "product_version": target.get("product_version", ""), "families": states})
            for key, st in states.items():
                per_family[key]["declared"] += st["declared"]
                per_family[key]["deployed"] += st["answering"]
                per_family[key]["profile_met"] += st["profile_met"]
        stats.append({"date": pub["published_at"], "source": pub["_source"], "suite_version": pub["suite_version"],
                      "catalogue_sha256": pub["catalogue_sha256"], "platforms": len(pub["targets"]),
                      "families": per_family})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_by": f"cicclo {__version__}",
        "families": {f.key: {"title": f.title, "profile": f.profile, "services": list(f.services)}
                     for f in FAMILIES},
        "publications": stats,
        "platforms": dict(sorted(platforms.items())),
    }


def to_csv(suivi: dict[str, Any]) -> str:
    """One row per publication and family: the aggregated figures."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["date", "famille", "plateformes", "declarant", "deployant", "profil", "atteignant_le_profil"])
    for pub in suivi["publications"]:
        for key, figures in pub["families"].items():
            writer.writerow([pub["date"], key, pub["platforms"], figures["declared"], figures["deployed"],
                             suivi["families"][key]["profile"], figures["profile_met"]])
    return buf.getvalue()


def write(suivi: dict[str, Any], out: Path) -> list[Path]:
    """suivi.json, suivi.csv and suivi.html, each written atomically."""
    from cicclo.reporters.suivi_html import render

    out.mkdir(parents=True, exist_ok=True)
    files = {"suivi.json": json.dumps(suivi, ensure_ascii=False, indent=1), "suivi.csv": to_csv(suivi),
             "suivi.html": render(suivi)}
    for name, text in files.items():
        write_atomic(out / name, text)
    return [out / name for name in files]
