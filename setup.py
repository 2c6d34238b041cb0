"""Packaging: everything is in pyproject.toml; this only copies the non-Python files into the wheel.

templates/, mkdocs.yml and site/ stay where they are in the checkout (plain `mkdocs build` and an
editable install use them there); a built wheel carries a copy in generator/_resources, which
generator/resources.py finds.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("mkdocs.yml", "templates", "site")  # generator/resources.py SHIPPED: a test keeps them equal


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "generator" / "_resources"
        shutil.rmtree(target, ignore_errors=True)
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithResources})
