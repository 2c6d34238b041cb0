"""Where klachten's own files are: templates, mkdocs.yml, the theme overrides and site assets.

The one place that knows. In a checkout (and an editable install, as install.sh makes) they are
the checkout's own folders; in an installed wheel (pip, pipx) they are package data in
``generator/_resources``, which the build copies there (setup.py) with the same layout, so
``mkdocs.yml``'s relative paths (``docs_dir: site``, ``custom_dir: templates/theme``) hold in both.
Nothing here depends on the folder the owner works in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: What a wheel carries, relative to the checkout root (setup.py copies exactly these).
SHIPPED = ("mkdocs.yml", "templates", "site")

_PACKAGED = Path(__file__).resolve().parent / "_resources"
_CHECKOUT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def resources_root() -> Path:
    """The folder holding mkdocs.yml, templates/ and site/: the package data, else the checkout."""
    return _PACKAGED if (_PACKAGED / "mkdocs.yml").is_file() else _CHECKOUT


def templates_dir() -> Path:
    """Our jinja2 templates (letters, site pages, mail, the analysis, the theme overrides)."""
    return resources_root() / "templates"


def mkdocs_yml() -> Path:
    """The site's mkdocs configuration."""
    return resources_root() / "mkdocs.yml"


def site_sources() -> Path:
    """mkdocs' docs_dir: the static site assets (the pages themselves come from the plugin)."""
    return resources_root() / "site"
