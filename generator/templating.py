"""The one jinja2 Environment of klachten: owner's templates first, ours second.

Autoescaped for .html/.xml, StrictUndefined so that a missing field fails loudly instead of
printing an empty gap, and the shared filters (datum_nl, termijn, in_woorden, regel).

Markdown templates (``*.md``, the site pages) are escaped too, for Markdown inside HTML: every
``{{ value }}`` passes :func:`markdown_text`, so text from the register or the config can never
become a link, an image, a heading, an attribute list or an HTML element. Only the owner's own
Markdown (``| markdown``) and URLs made by ``| link`` / ``| url`` are let through.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import jinja2
import markupsafe
import numpy as np

from generator.resources import templates_dir
from register.config import ESCALATION_FALLBACK, Config, Term
from register.parse import format_date_nl

TEMPLATES = templates_dir()


def datum_nl(value) -> str:
    """21 november 2026; '' for an empty date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, np.datetime64) and np.isnat(value):
        return ""
    return format_date_nl(value)


def regel(value) -> str:
    """All whitespace (newlines, tabs, runs of spaces) as single spaces: one value stays on one line."""
    return " ".join(str(value).split())


def termijn(value: Term) -> str:
    """'7 werkdagen', '2 weken'."""
    return str(value)


def in_woorden(value: Term) -> str:
    """'zeven werkdagen', 'twee weken'."""
    return value.in_words


class OwnerMarkdown(str):
    """The owner's own Markdown (analyses/JJJJ.md): published as Markdown, not escaped."""


# The characters that give Markdown (with tables, attr_list, md_in_html), HTML or entities a
# meaning anywhere in a line. As character references they show as themselves in HTML and are
# inert for Markdown: in paragraphs, table cells, list items, headings and alt texts alike.
_INLINE_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: f"&#{ord(c)};" for c in "\\`*_{}[]|"}}
_INLINE = re.compile("[" + re.escape("".join(_INLINE_SPECIAL)) + "]")
# What starts a block when it opens a line (a value may follow '- ' or open a table cell):
# headings, lists, quotes, rules, setext underlines, definition lists, numbered lists.
_LINE_START = re.compile(r"^(?:[#+\-=:~]|\d+(?=[.)]))")
_WHITESPACE = re.compile(r"\s+")


def markdown_text(value) -> str:
    """Text (str, number, Markup) as inert Markdown on one line.

    Line breaks and runs of whitespace become one space, so no value opens a new line; a
    character that would start a block at the value's start ('#', '-', '+', '1.') and every
    inline special ('[', '<', '&', '{', '|', '*', ...) become character references.
    """
    if isinstance(value, OwnerMarkdown):
        return value
    if isinstance(value, markupsafe.Markup):  # '| e' in a template: show the text, not entities
        value = value.unescape()
    text = _INLINE.sub(lambda m: _INLINE_SPECIAL[m.group()], _WHITESPACE.sub(" ", str(value)).strip())
    start = _LINE_START.match(text)
    if start:  # escape the opening '#', '-', ... or the '.' / ')' after an opening number
        at = start.end() if start.group().isdigit() else 0
        text = f"{text[:at]}&#{ord(text[at])};{text[at + 1:]}"
    return text


def url(value) -> OwnerMarkdown:
    """A URL for a Markdown link destination: http(s), mailto, tel or a relative path, percent-encoded
    so it cannot end the link or add attributes. Anything else (javascript:, data:) becomes '#'."""
    text = str(value).strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme not in ("", "http", "https", "mailto", "tel") or (not scheme and text.startswith("//")):
        return OwnerMarkdown("#")
    return OwnerMarkdown(quote(text, safe=":/?#@!$&*+,;=%~"))


def link(value, text: str | None = None) -> OwnerMarkdown:
    """``[text](url)`` for an http(s) or mailto URL from the config; other values as plain text."""
    target = url(value)
    label = markdown_text(text if text is not None else value)
    return OwnerMarkdown(label if target == "#" else f"[{label}]({target})")


def mailto(value) -> OwnerMarkdown:
    """An e-mail address as a mailto: link (the address as its text)."""
    return link(f"mailto:{str(value).strip()}", str(value).strip())


def tel(value) -> OwnerMarkdown:
    """A Dutch phone number as a tel: link in international form (010-123 45 67 -> +31101234567)."""
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    elif digits.startswith("0"):
        number = "+31" + digits[1:]
    else:
        number = digits
    return link(f"tel:{number}", text) if digits else OwnerMarkdown(markdown_text(text))


def markdown(value) -> OwnerMarkdown:
    """The owner's own Markdown file, published as written (never register text)."""
    return OwnerMarkdown(value)


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value):
    if context.name and context.name.endswith(".md"):
        return markdown_text(value)
    return value


@lru_cache(maxsize=8)
def _environment(owner_dir: str | None) -> jinja2.Environment:
    loaders = []
    if owner_dir:
        loaders.append(jinja2.FileSystemLoader(owner_dir))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(datum_nl=datum_nl, termijn=termijn, in_woorden=in_woorden, regel=regel,
                       markdown=markdown, url=url, link=link, mailto=mailto, tel=tel)

    def partial(name: str, **context: object) -> OwnerMarkdown:
        """One of our HTML partials (templates/site/_*.html, autoescaped, so every value in it is
        escaped for HTML) placed in a Markdown page as a raw HTML block."""
        if not (name.startswith("site/_") and name.endswith(".html")):
            raise jinja2.TemplateError(f"'{name}' is geen HTML-deelsjabloon van de site")
        return OwnerMarkdown(env.get_template(name).render(**context))

    env.globals["partial"] = partial
    # Site and letters name the same route when no escalation body is configured.
    env.globals["escalatie_standaard"] = ESCALATION_FALLBACK
    return env


def environment(config: Config | None = None) -> jinja2.Environment:
    """The shared Environment; searches the owner's folder ([brieven] sjablonen) first."""
    owner = None
    if config is not None and config.brieven.sjablonen:
        folder = config.resolve(config.brieven.sjablonen)
        owner = str(folder) if folder.is_dir() else None
    return _environment(owner)


def render(config: Config | None, name: str, **context) -> str:
    from register.errors import KlachtenError

    try:
        return environment(config).get_template(name).render(**context)
    except jinja2.UndefinedError as exc:
        raise KlachtenError(f"sjabloon '{name}' gebruikt een onbekend veld: {exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise KlachtenError(f"sjabloon '{exc.filename or name}' regel {exc.lineno}: {exc.message}") from None
