"""Build step: the repository's suites, schemas, built-in targets, reference setup scripts and servers ship in
the wheel as package data under ``cicclo/_data/``, with the repository's layout (found by cicclo.resources).

The folders stay where they are in the repository; an editable install reads them in place.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"suites": "**/*", "schemas": "**/*", "targets": "*.yaml", "scripts": "setup-*.sh", "servers": "**/*"}
# what the setup scripts download or build (node_modules, Keycloak's dist/, Maven's target/) is never shipped
NOT_SHIPPED = {"__pycache__", "node_modules", ".gitignore", "target", "build", "dist"}


class BuildPyWithData(build_py):
    """``build_py``, then the repository folders copied into ``cicclo/_data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        dest = Path(self.build_lib) / "cicclo" / "_data"
        for folder, pattern in SHIPPED.items():
            for path in sorted((ROOT / folder).glob(pattern)):
                relative = path.relative_to(ROOT)
                if path.is_file() and path.suffix != ".pyc" and not NOT_SHIPPED & set(relative.parts):
                    (dest / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest / relative)


setup(cmdclass={"build_py": BuildPyWithData})
