"""The `klachten` command: a thin layer that parses options, calls the core and prints Dutch.

Heavy modules (pandas, openpyxl, WeasyPrint, scipy, gspread) are imported inside the
commands, so `klachten --help` starts about as fast as typer itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Annotated

import typer

from generator.letters.kinds import NAMES as LETTER_NAMES
from generator.letters.kinds import names_in_words
from register.errors import ConfigError, KlachtenError, SourceError, os_error_message

# typer's own words in Dutch. typer vendors click with a few English literals; they are
# patched here, defensively: if a later typer moves them, help simply stays English.
_TYPER_NL = {
    "No such command {name!r}.": "Onbekend commando {name!r}.",
    "Missing argument {param_hint}.": "Argument {param_hint} ontbreekt.",
    "Missing option {param_hint}.": "Optie {param_hint} ontbreekt.",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Options": "Opties", "Arguments": "Argumenten", "Commands": "Commando's",
    "required": "verplicht", "default: {default}": "standaard: {default}",
}
_ENGLISH_TO_DUTCH = (("No such option:", "Onbekende optie:"), ("Did you mean", "Bedoelde u"),
                     ("Missing argument", "Ontbrekend argument"), ("Missing option", "Ontbrekende optie"),
                     ("Invalid value for", "Ongeldige waarde voor"),
                     ("Input should be a valid integer, unable to parse string as an integer", "verwacht een geheel getal"),
                     ("Input should be greater than or equal to", "moet minstens zijn:"),
                     ("requires an argument", "heeft een waarde nodig"),
                     ("Got unexpected extra argument", "Onverwacht extra argument"),
                     ("is not a valid integer", "is geen geheel getal"),
                     ("is not in the range", "valt buiten het bereik"),
                     ("Possible options:", "mogelijke opties:"))


def _dutch_typer() -> None:
    import typer.core

    if hasattr(typer.core, "_"):
        typer.core._ = lambda message: _TYPER_NL.get(message, message)
    try:
        from typer._click import core, exceptions, formatting
        from typer._click.utils import echo
    except ImportError:
        return

    write_usage = formatting.HelpFormatter.write_usage

    def dutch_usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, "Gebruik: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = dutch_usage  # type: ignore[method-assign]  # Dutch texts patched into click
    get_help_option = core.Command.get_help_option

    def dutch_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = "Toon deze hulp en stop."
        return option

    core.Command.get_help_option = dutch_help_option  # type: ignore[method-assign]  # Dutch texts patched into click

    def show(self, file=None):
        message = self.format_message()
        for english, dutch in _ENGLISH_TO_DUTCH:
            message = message.replace(english, dutch)
        if getattr(self, "ctx", None) is not None:
            echo(f"{self.ctx.get_usage()}\nZie '{self.ctx.command_path} -h' voor hulp.\n", err=True)
        echo(f"Fout: {message}", err=True)

    exceptions.UsageError.show = show  # type: ignore[method-assign]  # Dutch texts patched into click

    # typer shows a required argument as {NAME} in the usage line; Dutch help shows NAME.
    import typer.core as typer_core

    argument = getattr(typer_core, "TyperArgument", None)
    if argument is not None and hasattr(argument, "_usage_display_name"):
        def plain_usage_name(self):
            name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
            return name + ("..." if self.nargs != 1 else "")

        argument._usage_display_name = plain_usage_name


_dutch_typer()

app = typer.Typer(
    help="Klachtenregister bijhouden zoals de klachtenregeling belooft: controleren, termijnen "
         "bewaken, brieven maken, de website publiceren en elke nacht een overzicht mailen.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[OPTIES]", subcommand_metavar="COMMANDO [ARGUMENTEN]...", name="klachten",
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("klachten")
        except PackageNotFoundError:
            number = "onbekend (niet geïnstalleerd)"
        typer.echo(f"klachten {number}")
        raise typer.Exit(0)


@app.callback()
def _root(
    versie: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                         help="Toon het versienummer en stop.")] = False,
) -> None:
    """Klachtenregister bijhouden zoals de klachtenregeling belooft: controleren, termijnen bewaken,
    brieven maken, de website publiceren en elke nacht een overzicht mailen."""

EXIT_OK, EXIT_FINDINGS, EXIT_SETUP = 0, 1, 2

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", metavar="PAD", help="Het configuratiebestand (standaard: klachten.toml of $KLACHTEN_CONFIG).")]
PeildatumOption = Annotated[str | None, typer.Option(
    "--peildatum", metavar="DATUM", help="Rekenen alsof het vandaag deze datum is, als D-M-JJJJ of JJJJ-MM-DD (standaard: vandaag, Nederlandse tijd).")]


def fail(message: str, code: int = EXIT_FINDINGS) -> None:
    """Print one Dutch error line to stderr and exit."""
    typer.echo(f"Fout: {message}", err=True)
    raise typer.Exit(code)


def handle_errors(fn):
    """Turn domain errors into 'Fout: …' and an exit code; no traceback reaches the user."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return _tightening(fn, *args, **kwargs)
        except (ConfigError, SourceError) as exc:
            fail(str(exc), EXIT_SETUP)
        except KlachtenError as exc:
            fail(str(exc), EXIT_FINDINGS)
        except KeyboardInterrupt:
            fail("afgebroken", 130)
        except OSError as exc:
            fail(os_error_message(exc), EXIT_SETUP)
        except (zlib.error, zipfile.BadZipFile) as exc:  # a damaged .xlsx read outside the source's own check
            fail(f"een bestand is beschadigd ({exc}); zet een back-up terug", EXIT_SETUP)
        except RuntimeError as exc:
            if "symlink loop" not in str(exc).lower():
                raise
            fail(f"symbolische koppelingen verwijzen in een kring naar elkaar (lus): {str(exc).split(' ')[-1]}",
                 EXIT_SETUP)

    return wrapper




def warn_examples(cfg) -> list[str]:
    """Print every example value of the shipped klachten.toml still in the config (stderr)."""
    from register.config import example_values
    from register.plural import count

    examples = example_values(cfg)
    if examples:
        typer.echo(f"Let op: {count(len(examples), 'voorbeeldwaarde', 'voorbeeldwaarden')} uit de meegeleverde "
                   "klachten.toml nog in gebruik; vervang ze door uw eigen gegevens:", err=True)
        for line in examples:
            typer.echo(f"  {line}", err=True)
    return examples


def warn_escalation(cfg) -> None:
    """'Let op: …' on stderr when no escalation body is configured (init and config)."""
    from register.config import escalation_warning

    if warning := escalation_warning(cfg):
        typer.echo(f"Let op: {warning}.", err=True)


def parse_peildatum(value: str | None) -> dt.date:
    from register.dates import parse_typed_date
    from register.deadlines import today_amsterdam

    return today_amsterdam() if value is None else parse_typed_date(value, "--peildatum")


#: The configurations a command loaded: their private folders are tightened when it ends.
_LOADED: list = []


def _tightening(fn, *args, **kwargs):
    """Run a command; afterwards every private folder it may have written to is 0700 with
    files at 0600 (the store writes them so; this also covers files a library wrote)."""
    _LOADED.clear()
    try:
        return fn(*args, **kwargs)
    finally:
        from register.store import PrivateStore

        for cfg in _LOADED:
            try:
                PrivateStore(cfg).tighten()
            except OSError:
                pass  # the command's own result or error is what the user must see
        _LOADED.clear()


def load(config_path: Path | None):
    from register.config import load_config

    cfg = load_config(config_path)
    _LOADED.append(cfg)
    return cfg


def adopt_private(cfg, numbers) -> None:
    """On the first run after the update: adopt the private folder (one line on stderr)."""
    from register.store import PrivateStore

    line = PrivateStore(cfg).adopt(str(n) for n in numbers if n)
    if line:
        typer.echo(line, err=True)


def unknown_private_files(cfg) -> str | None:
    """One line naming the files in the private folders that the manifest does not know."""
    from register.plural import count
    from register.store import PrivateStore

    store = PrivateStore(cfg)
    unknown = store.unknown()
    if not unknown:
        return None
    shown = ", ".join(str(p.relative_to(next(r for r in store.roots if r in p.parents))) for p in unknown[:5])
    more = f" en nog {len(unknown) - 5}" if len(unknown) > 5 else ""
    verb = "staat" if len(unknown) == 1 else "staan"
    return (f"Let op: {count(len(unknown), 'bestand', 'bestanden')} in de privémap {verb} niet in het manifest "
            f"({shown}{more}); anonimiseren en inzage weten niet wiens gegevens erin staan: verplaats of "
            f"verwijder wat niet van klachten is.")


def unknown_private_paths(cfg) -> list[str]:
    """The files the manifest does not know, for `controleer --json`: POSIX paths relative to the
    private folder, or the full path of one in a letters folder outside it."""
    import os

    from register.store import PrivateStore

    private = Path(os.path.abspath(cfg.private_dir()))
    return [p.relative_to(private).as_posix() if private in p.parents else str(p)
            for p in PrivateStore(cfg).unknown()]


def register_numbers(result) -> list[str]:
    return [str(n) for n in result.register.frame["complaint_no"].to_numpy() if n]


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


@app.command(options_metavar="[OPTIES]", name="controleer")
@handle_errors
def controleer(
    peildatum: PeildatumOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Eén JSON-object met fouten en signalen (voor scripts).")] = False,
    schrijf: Annotated[bool, typer.Option("--schrijf", help="Berekende termijnen en signalen in de kolommen van de tool zetten (Bevestigen vóór, Standpunt vóór, Signaal).")] = False,
    config: ConfigOption = None,
) -> None:
    """Lees het register, meld elk probleem met zijn cel en toon wat te laat is of dreigt.

    Exitcode 0: geen fouten (waarschuwingen mogen); 1: het register bevat fouten;
    2: probleem met de configuratie of de bron.
    """
    import json

    from register.check import check_register

    cfg = load(config)
    day = parse_peildatum(peildatum)
    result = check_register(cfg, day)
    adopt_private(cfg, register_numbers(result))
    written = None
    if schrijf:
        from register.writeback import write_deadlines

        written = write_deadlines(cfg, result)
    if json_out:
        typer.echo(json.dumps(result.to_json() | {"onbekende_bestanden": unknown_private_paths(cfg)},
                              ensure_ascii=False))
    else:
        from generator.app.report import print_check

        print_check(console(), result)
        if written is not None:
            typer.echo(f"Termijnen geschreven: {written.summary()}")
        if unknown := unknown_private_files(cfg):
            typer.echo(unknown)
    raise typer.Exit(EXIT_FINDINGS if result.has_errors else EXIT_OK)


@app.command(options_metavar="[OPTIES]", name="brief",
             help=f"Maak één brief als PDF ({names_in_words()}); met --verstuur ook mailen naar de "
                  f"klager en vastleggen in het register.")
@handle_errors
def brief(
    klachtnummer: Annotated[str, typer.Argument(metavar="KLACHTNUMMER", help="Bijv. K2026-014.")],
    soort: Annotated[str, typer.Argument(metavar="SOORT", help=f"{names_in_words().capitalize()}.")],
    peildatum: PeildatumOption = None,
    uitvoer: Annotated[Path | None, typer.Option("--uitvoer", metavar="MAP", help="Map voor de PDF (standaard: [brieven] map).")] = None,
    verstuur: Annotated[bool, typer.Option("--verstuur", help="De brief als PDF mailen naar het E-mailadres van de klager en dat in het register vastleggen.")] = False,
    droog: Annotated[bool, typer.Option("--droog", help="Met --verstuur: alleen tonen wat er verstuurd zou worden.")] = False,
    opnieuw: Annotated[bool, typer.Option("--opnieuw", help="Met --verstuur: ook versturen als een onderbroken run de brief misschien al verstuurde.")] = False,
    te_laat: Annotated[bool, typer.Option("--te-laat", help="Een uitstelbericht ook maken (en met --verstuur versturen) als de standpunttermijn al is verstreken (de brief zegt dat hij te laat komt).")] = False,
    config: ConfigOption = None,
) -> None:
    """Maak één brief als PDF; met --verstuur ook mailen en vastleggen (help: zie de decorator)."""
    from generator.letters.render import find_row, late_extension_notice, letter_job, write_pdf
    from register.check import check_register

    if soort not in LETTER_NAMES:
        raise ConfigError(f"onbekende soort brief '{soort}'; kies uit {names_in_words()}")
    cfg = load(config)
    result = check_register(cfg, parse_peildatum(peildatum))
    adopt_private(cfg, register_numbers(result))
    row = find_row(result, klachtnummer)
    if verstuur or droog:
        late = late_extension_notice(result, row, soort) if te_laat else None
        _send(cfg, result, [(row, soort)], droog, opnieuw, strict_email=True, late_ok=te_laat, notice=late)
        return
    job = letter_job(result, cfg, row, soort, uitvoer, late_ok=te_laat)
    pages = write_pdf(job)
    unit = "pagina" if pages == 1 else "pagina's"
    typer.echo(f"Brief geschreven: {job.target} ({pages} {unit})")
    if late := late_extension_notice(result, row, soort):
        typer.echo(f"Let op: {late}", err=True)


def _send(cfg, result, wanted, dry: bool, redo: bool, strict_email: bool, workers: int | None = None,
          late_ok: bool = False, notice: str | None = None) -> None:
    """``notice``: a warning shown when the letter went out (or would, with --droog)."""
    from generator.letters.sending import send_letters

    report = send_letters(cfg, result, wanted, dry=dry, redo=redo, strict_email=strict_email, workers=workers,
                          late_ok=late_ok)
    for line in report.lines():
        typer.echo(line)
    if notice and (report.sent or report.preview):
        typer.echo(f"Let op: {notice}", err=True)
    for problem in report.problems:
        typer.echo(f"Niet verstuurd: {problem}", err=True)
    raise typer.Exit(EXIT_FINDINGS if report.problems else EXIT_OK)


@app.command(options_metavar="[OPTIES]", name="brieven")
@handle_errors
def brieven(
    peildatum: PeildatumOption = None,
    opnieuw: Annotated[bool, typer.Option("--opnieuw", help="Ook brieven die al bestaan opnieuw maken (met --verstuur: ook versturen wat een onderbroken run misschien al verstuurde).")] = False,
    processen: Annotated[int | None, typer.Option("--processen", metavar="N", help="Aantal processen, minstens 1 (standaard: alle kernen).")] = None,
    verstuur: Annotated[bool, typer.Option("--verstuur", help="De brieven mailen (PDF als bijlage) en vastleggen in het register; klagers zonder e-mailadres komen in één PDF om af te drukken.")] = False,
    droog: Annotated[bool, typer.Option("--droog", help="Met --verstuur: alleen tonen wat er verstuurd zou worden.")] = False,
    config: ConfigOption = None,
) -> None:
    """Maak de brieven die nu nodig zijn en nog niet gemaakt of verstuurd: ontbrekende
    ontvangstbevestigingen, uitstelberichten (signaal uitstelbericht_nodig), standpuntbrieven en
    bevestigingen van een intrekking van klachten met een recente Datum standpunt
    ([brieven] standpunt_recent_dagen), nooit de geschiedenis.

    Een brief die niet gemaakt kan worden staat met klacht en kolom in de uitvoer (exitcode 1).
    Bestaande brieven blijven staan, tenzij --opnieuw.
    """
    from generator.letters.render import due_letters, make_jobs, output_dir, write_pdfs
    from register.check import check_register

    if processen is not None and processen < 1:
        raise ConfigError("--processen moet minstens 1 zijn")

    cfg = load(config)
    result = check_register(cfg, parse_peildatum(peildatum))
    adopt_private(cfg, register_numbers(result))
    due, skipped = due_letters(result, cfg, redo=opnieuw)
    if verstuur or droog:
        # Made but not yet sent is still due for sending: the sent log decides, not the file.
        _send(cfg, result, sorted(due + skipped), droog, opnieuw, strict_email=False, workers=processen)
        return
    jobs, problems = make_jobs(result, cfg, due)
    if jobs:
        from rich.progress import Progress

        # No auto-refresh thread: the workers are forked, and forking a threaded process is unsafe.
        with Progress(console=console(stderr=True), transient=True, auto_refresh=False) as progress:
            task = progress.add_task("Brieven maken", total=len(jobs))

            def done(job) -> None:
                progress.advance(task)
                progress.refresh()

            write_pdfs(jobs, workers=processen, on_done=done)
    from register.plural import count

    typer.echo(f"{count(len(jobs), 'brief', 'brieven')} geschreven in {output_dir(cfg)}; "
               f"{len(skipped)} {'bestond' if len(skipped) == 1 else 'bestonden'} al.")
    for problem in problems:
        typer.echo(f"Niet gemaakt: {problem}", err=True)
    raise typer.Exit(EXIT_FINDINGS if problems else EXIT_OK)


@app.command(options_metavar="[OPTIES]", name="formulier")
@handle_errors
def formulier(
    uitvoer: Annotated[Path | None, typer.Option("--uitvoer", metavar="PAD", help="Waar de PDF komt (standaard: [brieven] map/klachtenformulier.pdf).")] = None,
    config: ConfigOption = None,
) -> None:
    """Schrijf een leeg klachtenformulier (PDF) voor klachten die per telefoon of aan de balie binnenkomen."""
    from generator.letters.render import form_job, output_dir, write_pdf

    cfg = load(config)
    target = uitvoer or output_dir(cfg) / "klachtenformulier.pdf"
    write_pdf(form_job(cfg, target))
    typer.echo(f"Klachtenformulier geschreven: {target}")


@app.command(options_metavar="[OPTIES]", name="importeer")
@handle_errors
def importeer(
    uitvoeren: Annotated[bool, typer.Option("--uitvoeren", help="Echt in het register zetten. Zonder deze optie: alleen tonen.")] = False,
    config: ConfigOption = None,
) -> None:
    """Zet nieuwe reacties van het online klachtenformulier (Google Formulier) in het register.

    Alleen bij een Google Sheet als register, met het formulier gekoppeld aan die sheet. Elke
    reactie krijgt een nieuw klachtnummer, Datum ontvangst (het tijdstempel, Nederlandse tijd),
    Kanaal webformulier, Status nieuw en de Behandelaar uit [intake]. Het klachtnummer komt ook
    naast de reactie in het formuliertabblad, zodat niets twee keer en niets verloren gaat.
    Standaard een proefrun; met --uitvoeren wordt het register bijgewerkt.
    """
    from register.intake import import_responses

    cfg = load(config)
    report = import_responses(cfg, dry=not uitvoeren, notify=lambda line: typer.echo(line, err=True))
    for line in report.lines():
        typer.echo(line)
    if not uitvoeren and report.imported:
        typer.echo("Er is niets gewijzigd. Voer uit met: klachten importeer --uitvoeren")
    for problem in report.problems:
        typer.echo(f"Let op: {problem}", err=True)
    if report.problems:
        raise typer.Exit(EXIT_FINDINGS)


@app.command(options_metavar="[OPTIES]", name="site")
@handle_errors
def site(
    serve: Annotated[bool, typer.Option("--serve", help="De website van deze map lokaal tonen op http://127.0.0.1:8000 en opnieuw bouwen zodra het register of klachten.toml verandert.")] = False,
    poort: Annotated[int, typer.Option("--poort", metavar="POORT", min=1, max=65535, help="Poort voor --serve (standaard 8000).")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Ook bouwen als de voorbeeldwaarden uit de meegeleverde klachten.toml er nog in staan (alleen voor een demo).")] = False,
    peildatum: PeildatumOption = None,
    config: ConfigOption = None,
) -> None:
    """Bouw de publieke website: klachtenregeling, klacht indienen en jaarverslagen.

    Alleen totalen en uw eigen teksten komen op de site; staat er toch een persoonsgegeven uit
    het register in een gebouwd bestand, dan stopt de bouw en wordt de uitvoer verwijderd.
    Staan er nog voorbeeldwaarden in de configuratie (Voorbeeld, Postbus 00000, .example), dan
    bouwt de site alleen met --demo.
    """
    from generator.site.build import build_site

    cfg = load(config)
    day = parse_peildatum(peildatum) if peildatum else None
    warn_examples(cfg)
    if serve:
        from generator.site.serve import serve_site

        typer.echo(f"De website van {cfg.path.parent} wordt gebouwd; daarna wordt hij opnieuw gebouwd zodra het "
                   "register of klachten.toml verandert.")
        serve_site(cfg.path, day, port=poort, demo=demo, echo=typer.echo)
        return
    target, seconds = build_site(cfg, day, demo=demo)
    typer.echo(f"Website gebouwd in {target} ({seconds:.1f} s).")


@app.command(options_metavar="[OPTIES]", name="nachtrun")
@handle_errors
def nachtrun(
    peildatum: PeildatumOption = None,
    droog: Annotated[bool, typer.Option("--droog", help="De mail tonen in plaats van versturen.")] = False,
    opnieuw: Annotated[bool, typer.Option("--opnieuw", help="Ook mailen als vandaag al een mail is verstuurd.")] = False,
    config: ConfigOption = None,
) -> None:
    """De nachtelijke taak voor cron, systemd of CI: register lezen en controleren, back-up maken,
    de dagmail sturen en (als ingesteld) de website bouwen.

    Exitcode 0 als alle stappen lukten, 1 als een stap mislukte (met de reden), 2 bij een fout
    in de configuratie. Een mail die niet aankomt blijft bewaard en gaat met de volgende run mee;
    een mail die de server blijvend weigert, gaat naar postvak-uit/geweigerd en staat in de
    volgende dagmail. Draait er al een nachtrun, dan wacht deze even en stopt met een melding.
    """
    import datetime as _dt

    from generator.app.nightly import run_nightly
    from register.deadlines import AMSTERDAM

    cfg = load(config)
    day = parse_peildatum(peildatum)
    steps = run_nightly(cfg, day, _dt.datetime.now(AMSTERDAM), dry=droog, redo=opnieuw, echo=typer.echo)
    for step in steps:
        typer.echo(f"{'ok  ' if step.ok else 'FOUT'} {step.name}: {step.message}")
    failed = [s for s in steps if not s.ok]
    if failed:
        fail("; ".join(f"stap '{s.name}' mislukt: {s.message}" for s in failed), EXIT_FINDINGS)


@app.command(options_metavar="[OPTIES]", name="inrichten")
@handle_errors
def inrichten(config: ConfigOption = None) -> None:
    """Richt het register in: kopregel (vast, beschermd), keuzelijsten, datum- en tekstopmaak,
    een tabblad Feestdagen en kleuren voor te late rijen. Voegt alleen toe wat ontbreekt; een
    tweede keer verandert niets.
    """
    from register.deadlines import today_amsterdam
    from register.sheetsetup import setup_register

    cfg = load(config)
    typer.echo(setup_register(cfg, today_amsterdam()).summary())


@app.command(options_metavar="[OPTIES]", name="verbinding")
@handle_errors
def verbinding(config: ConfigOption = None) -> None:
    """Controleer de verbinding met de Google Sheet, stap voor stap: het sleutelbestand, of de
    sheet gedeeld is met het service-account (met zijn e-mailadres), het tabblad, de kopregel,
    de landinstelling en of het account mag schrijven. Schrijft geen registergegevens.

    Exitcode 0 als alles in orde is, anders 2.
    """
    from register.sources import google

    cfg = load(config)
    if cfg.register.bron != "google":
        fail(f"'klachten verbinding' controleert een Google Sheet; [register] bron is '{cfg.register.bron}'",
             EXIT_SETUP)
    checks = google.check_connection(cfg, notify=lambda line: typer.echo(line, err=True))
    for check in checks:
        typer.echo(f"{'ok  ' if check.ok else 'FOUT'} {check.text}")
    if not all(c.ok for c in checks):
        raise typer.Exit(EXIT_SETUP)


@app.command(options_metavar="[OPTIES]", name="anonimiseer")
@handle_errors
def anonimiseer(
    uitvoeren: Annotated[bool, typer.Option("--uitvoeren", help="Echt uitvoeren (eerst een back-up). Zonder deze optie: alleen tonen.")] = False,
    peildatum: PeildatumOption = None,
    config: ConfigOption = None,
) -> None:
    """Verwijder persoonsgegevens van klachten waarvan de bewaartermijn voorbij is.

    Standaard een proefrun die toont wat er zou veranderen. Met --uitvoeren: eerst een back-up
    van het hele register, dan in één keer de persoonsgegevens vervangen door
    '[geanonimiseerd]' en 'Geanonimiseerd op' invullen. Geëscaleerde of niet afgehandelde klachten
    blijven altijd ongemoeid. Van de verwijderde gegevens blijven alleen vingerafdrukken
    (HMAC) in de privémap, zodat de privacybewaking van de site ze blijft herkennen. Daarna
    verdwijnt elk bestand dat volgens het manifest van de privémap gegevens van die klachten
    bevat (brieven, mail, inzagepakketten, analyses); back-ups verlopen vanzelf.
    """
    from register.check import check_register
    from register.parse import format_date_nl
    from register.plural import count
    from register.writeback import anonymisation_candidates, anonymise

    cfg = load(config)
    day = parse_peildatum(peildatum)
    result = check_register(cfg, day)
    adopt_private(cfg, register_numbers(result))
    rows = anonymisation_candidates(result)
    numbers = result.register.frame["complaint_no"].to_numpy()
    expires = result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]")
    if not rows:
        typer.echo("Geen klachten met een verlopen bewaartermijn: niets te anonimiseren.")
        return
    if not uitvoeren:
        typer.echo(f"Proefrun: {count(len(rows), 'klacht zou', 'klachten zouden')} worden geanonimiseerd:")
        for i in rows:
            typer.echo(f"  {numbers[i]} (bewaartermijn verlopen op {format_date_nl(expires[i])})")
        typer.echo("Er is niets gewijzigd. Voer uit met: klachten anonimiseer --uitvoeren")
        return
    report, backup = anonymise(cfg, result, day)
    typer.echo(f"Back-up gemaakt: {backup}")
    typer.echo(f"Geanonimiseerd: {', '.join(report.updated) or 'geen'} ({report.cells} cellen).")
    if report.removed_files:
        typer.echo(f"Verwijderd: {count(len(report.removed_files), 'bestand', 'bestanden')} met hun gegevens "
                   "(brieven, mail, inzage, analyse, cache): " + ", ".join(p.name for p in report.removed_files))
    typer.echo(f"Back-ups met deze gegevens verdwijnen binnen {cfg.nachtrun.backups_bewaren} dagen.")
    if report.skipped:
        typer.echo("Overgeslagen: " + "; ".join(report.skipped), err=True)


@app.command(options_metavar="[OPTIES]", name="inzage")
@handle_errors
def inzage(
    wie: Annotated[str, typer.Argument(metavar="KLACHTNUMMER|E-MAIL", help="Een klachtnummer (K2026-014) of het e-mailadres van de klager of diens vertegenwoordiger.", show_default=False)],
    ook: Annotated[list[str] | None, typer.Option("--ook", metavar="KLACHTNUMMER", help="Deze klacht ook opnemen, al staat er een andere naam bij (herhaalbaar).")] = None,
    peildatum: PeildatumOption = None,
    config: ConfigOption = None,
) -> None:
    """Maak een inzagepakket voor een klager (recht op inzage, AVG artikel 15).

    Eén zip in de privémap (inzage/) met elke registerregel van deze persoon (CSV en JSON, alle
    kolommen met hun Nederlandse kopjes) en de brieven die voor die klachten zijn gemaakt. De
    persoon is de naam bij het klachtnummer of e-mailadres met diens e-mailadres en
    telefoonnummer: klachten met dezelfde naam (hoofdletters, spaties en accenten tellen niet) en
    een van die gegevens horen erbij. Een klacht met hetzelfde e-mailadres of telefoonnummer maar
    een andere naam blijft eruit; die wordt alleen met haar nummer genoemd en komt er alleen in
    met --ook. Het logboek (inzage.log) krijgt alleen de klachtnummers en de datum.

    Met het e-mailadres van een vertegenwoordiger (E-mail vertegenwoordiger) komen ook de klachten
    die deze persoon namens een ander indiende erin, met alleen diens eigen gegevens: de
    persoonsgegevens van de klager en diens brieven blijven eruit.
    """
    from register.plural import count
    from register.retention import make_inzage
    from register.sources import open_source

    cfg = load(config)
    day = parse_peildatum(peildatum)
    grid = open_source(cfg).read()
    top, positions = grid.header_positions()
    if "complaint_no" in positions:
        adopt_private(cfg, [row[positions["complaint_no"]] for row in grid.values[top + 1:]
                            if positions["complaint_no"] < len(row)])
    package = make_inzage(cfg, grid, wie, day, also=ook or [])
    receiver = ("de klager" if not package.represented else
                "de vertegenwoordiger" if len(package.represented) == len(package.numbers) else "deze persoon")
    typer.echo(f"Inzagepakket gemaakt: {package.path}")
    typer.echo(f"  {count(len(package.numbers), 'klacht', 'klachten')} ({', '.join(package.numbers)}), "
               f"{count(package.letters, 'brief', 'brieven')}; geef het bestand alleen aan {receiver} zelf.")
    if package.left_out:
        which = "deze klacht" if len(package.left_out) == 1 else "een van deze klachten"
        example = package.left_out[0] if len(package.left_out) == 1 else "KLACHTNUMMER"
        typer.echo(f"Niet opgenomen: {', '.join(package.left_out)} (zelfde e-mailadres of telefoonnummer, andere "
                   f"naam); neem {which} alleen op met --ook {example} als ze van deze persoon is.")


@app.command(options_metavar="[OPTIES]", name="analyse")
@handle_errors
def analyse_cmd(
    periode: Annotated[str | None, typer.Option("--periode", metavar="PERIODE", help="Een halfjaar (2026-H2), een jaar (2026) of een reeks jaren (2024-2026); standaard het laatste afgelopen halfjaar met klachten.")] = None,
    vastleggen: Annotated[bool, typer.Option("--vastleggen", help="De analyse van deze periode vastleggen met de datum van vandaag (peildatum); daarna stopt de herinnering in de dagmail.")] = False,
    maatregelen: Annotated[str | None, typer.Option("--maatregelen", metavar="TEKST", help="Met --vastleggen: de maatregelen die u na de bespreking hebt genomen; het volgende rapport toont ze met hun effect.")] = None,
    peildatum: PeildatumOption = None,
    config: ConfigOption = None,
) -> None:
    """Maak de interne klachtenanalyse (HTML en PDF) in de privémap: aantallen per categorie,
    oorzaak, kanaal, urgentie, behandelaar en standpunt, termijnen, doorlooptijd, tevredenheid,
    compensatie, trends met grafieken, maatregelen, klagers die vaker klagen en eerdere
    oplossingen voor open klachten.

    Het rapport bevat persoonsgegevens en komt nooit op de website. Minstens eens per halfjaar;
    met --vastleggen legt u vast dat de analyse is gedaan.
    """
    from generator.analysis.report import analysis_dir, write_report
    from register.check import check_register
    from register.periods import last_half_year_with_complaints, parse_period
    from register.reviews import record_review, reviews_file

    day = parse_peildatum(peildatum)
    if maatregelen is not None and not vastleggen:
        raise ConfigError("--maatregelen hoort bij --vastleggen: leg de analyse vast met de maatregelen")
    cfg = load(config)
    analysis_dir(cfg)  # refuses a private folder inside the site before anything is written
    result = check_register(cfg, day)
    adopt_private(cfg, register_numbers(result))
    if periode is not None:
        period = parse_period(periode)
    else:
        period = last_half_year_with_complaints(result.register.dates("received"), day)
        why = ("het laatste afgelopen halfjaar met klachten" if period.end < day
               else "het lopende halfjaar: er is nog geen afgelopen halfjaar met klachten")
        typer.echo(f"Periode: {period.in_words()} ({why}); kies een andere met --periode.")
    if vastleggen:
        record_review(cfg, period, day, maatregelen or "")
    files = write_report(result, cfg, period)
    unit = "pagina" if files.pages == 1 else "pagina's"
    typer.echo(f"Analyse {period.in_words()} geschreven: {files.pdf} ({files.pages} {unit}) en {files.html.name}")
    if vastleggen:
        typer.echo(f"Vastgelegd op {format_date(day)} in {reviews_file(cfg)}.")
        if period.end >= day:
            typer.echo(f"Let op: {period.in_words()} is nog niet voorbij; alleen de halfjaren die al "
                       "voorbij zijn gelden als geanalyseerd.", err=True)


def stdin_is_terminal() -> bool:
    """True when someone can answer questions (not cron, CI or a pipe)."""
    return sys.stdin.isatty()


def format_date(day: dt.date) -> str:
    from register.parse import format_date_nl

    return format_date_nl(day)


@app.command(options_metavar="[OPTIES]", name="init")
@handle_errors
def init(
    organisatie: Annotated[str | None, typer.Option("--organisatie", metavar="NAAM", help="Naam van uw bedrijf.")] = None,
    verantwoordelijke: Annotated[str | None, typer.Option("--klachtverantwoordelijke", metavar="NAAM", help="Wie eindverantwoordelijk is voor klachten.")] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="ADRES", help="E-mailadres voor klachten (ook voor de dagmail).")] = None,
    adres: Annotated[str | None, typer.Option("--adres", metavar="STRAAT", help="Straat en huisnummer van het bedrijf (afzender van brieven, op de site).")] = None,
    postcode: Annotated[str | None, typer.Option("--postcode", metavar="POSTCODE", help="Postcode van het bedrijf.")] = None,
    plaats: Annotated[str | None, typer.Option("--plaats", metavar="PLAATS", help="Vestigingsplaats (ook boven de brieven).")] = None,
    mailserver: Annotated[str | None, typer.Option("--mailserver", metavar="SERVER", help="SMTP-server voor de dagmail (smtp.provider.nl of smtp.provider.nl:465), of 'geen': de nachtrun schrijft de dagmail dan als bestand in de privémap.")] = None,
    telefoon: Annotated[str | None, typer.Option("--telefoon", metavar="NUMMER", help="Telefoonnummer voor klachten.")] = None,
    contactpersoon: Annotated[str | None, typer.Option("--contactpersoon", metavar="NAAM", help="Vast aanspreekpunt, als dat iemand anders is.")] = None,
    escalatie: Annotated[str | None, typer.Option("--escalatie", metavar="NAAM", help="Geschilleninstantie waar een klager terecht kan.")] = None,
    escalatie_website: Annotated[str | None, typer.Option("--escalatie-website", metavar="URL", help="Website van die instantie.")] = None,
    register: Annotated[str | None, typer.Option("--register", metavar="PAD-OF-URL", help="Een .xlsx-bestand of de URL van een Google Sheet.")] = None,
    config: Annotated[Path, typer.Option("--config", metavar="PAD", help="Waar de configuratie komt (standaard: klachten.toml).")] = Path("klachten.toml"),
) -> None:
    """Begin uw eigen register: schrijf klachten.toml (nooit over een bestaande heen) en richt het
    register in. Ontbrekende antwoorden worden gevraagd; zonder toetsenbord (cron, CI) zijn
    --organisatie, --klachtverantwoordelijke en --email verplicht.
    """
    from register.deadlines import today_amsterdam
    from register.sheetsetup import setup_register
    from register.starter import StartAnswers, write_start_config

    interactive = stdin_is_terminal()

    def ask(value: str | None, question: str, required: bool = True, default: str = "") -> str:
        if value is not None:
            return value.strip()
        if interactive:
            return str(typer.prompt(question, default=default or ("" if required else "-"))).strip().strip("-")
        if required:
            raise ConfigError(f"geef {question.lower()} op met een optie (zie klachten init --help)")
        return default

    if config.exists():
        raise ConfigError(f"'{config}' bestaat al; klachten init overschrijft nooit een configuratie")
    answers = StartAnswers(
        organisatie=ask(organisatie, "Naam van de organisatie"),
        adres=ask(adres, "Straat en huisnummer", required=False),
        postcode=ask(postcode, "Postcode", required=False),
        plaats=ask(plaats, "Plaats", required=False),
        klachtverantwoordelijke=ask(verantwoordelijke, "Naam van de klachtverantwoordelijke"),
        email=ask(email, "E-mailadres voor klachten"),
        mailserver=ask(mailserver, "Mailserver voor de dagmail (bijv. smtp.provider.nl of smtp.provider.nl:465), "
                                   "of 'geen' (de dagmail komt dan als bestand in de privémap)", required=False),
        telefoon=ask(telefoon, "Telefoonnummer (leeg laten mag)", required=False),
        contactpersoon=ask(contactpersoon, "Contactpersoon als dat iemand anders is (leeg laten mag)", required=False),
        escalatie=ask(escalatie, "Geschilleninstantie (leeg laten mag)", required=False),
        escalatie_website=ask(escalatie_website, "Website van die instantie (leeg laten mag)", required=False),
        register=ask(register, "Register: pad naar een .xlsx-bestand of URL van een Google Sheet", required=False,
                     default="data/klachtenregister.xlsx"),
    )
    cfg = write_start_config(config, answers)
    typer.echo(f"Configuratie geschreven: {cfg.path}")
    warn_escalation(cfg)
    try:
        typer.echo(setup_register(cfg, today_amsterdam()).summary())
    except KlachtenError as exc:
        fail(f"het register is nog niet ingericht: {exc}; los dit op en voer dan 'klachten inrichten' uit",
             EXIT_SETUP)
    typer.echo("Klaar. Vul het register en controleer het met: klachten controleer")
    from register.readiness import missing

    gaps = sorted({line for lines in missing(cfg).values() for line in lines})
    if gaps:
        typer.echo("Nog in te vullen in klachten.toml (klachten config toont per gebruik wat ontbreekt):")
        for line in gaps:
            typer.echo(f"  {line}")


@app.command(options_metavar="[OPTIES]", name="inplannen")
@handle_errors
def inplannen(
    tijd: Annotated[str, typer.Option("--tijd", metavar="UU:MM", help="Elke dag op deze Nederlandse tijd (standaard 06:00).")] = "06:00",
    installeer: Annotated[bool, typer.Option("--installeer", help="De systemd-timer voor uw gebruiker ook installeren en aanzetten (systemctl --user).")] = False,
    config: ConfigOption = None,
) -> None:
    """Plan de nachtrun voor deze map in, elke dag op een Nederlandse tijd.

    Toont een systemd-timer voor uw gebruiker (met OnCalendar in Europe/Amsterdam) en een regel
    voor crontab -e die ook op Debian (zonder CRON_TZ) de Nederlandse tijd aanhoudt. Met
    --installeer worden de timer en de dienst in ~/.config/systemd/user gezet en aangezet.
    Geheimen (SMTP-wachtwoord, pad naar de Google-sleutel) horen in ~/.config/klachten/omgeving.
    """
    from generator.app.schedule import SECRETS, install_user_timer, make_schedule, parse_time

    cfg = load(config)
    hour, minute = parse_time(tijd)
    plan = make_schedule(cfg, hour, minute)
    if installeer:
        folder = install_user_timer(plan)
        typer.echo(f"Timer {plan.name}.timer aangezet (units in {folder}); de nachtrun draait elke dag om "
                   f"{hour}:{minute:02d} Nederlandse tijd.")
        typer.echo("Laat hem ook draaien als u niet bent ingelogd met: loginctl enable-linger $USER")
        typer.echo(f"Controleren: systemctl --user list-timers {plan.name}.timer")
        return
    typer.echo(f"# systemd (aanbevolen): zet dit in ~/.config/systemd/user/{plan.name}.service")
    typer.echo(plan.service)
    typer.echo(f"# en dit in ~/.config/systemd/user/{plan.name}.timer")
    typer.echo(plan.timer)
    typer.echo(f"# dan: systemctl --user daemon-reload && systemctl --user enable --now {plan.name}.timer")
    typer.echo("#      (of doe dit alles met: klachten inplannen --installeer)")
    typer.echo("")
    typer.echo("# cron: voeg deze regel toe met crontab -e. Hij draait elk uur en gaat alleen door in het")
    typer.echo(f"# Nederlandse uur {hour:02d}, zodat zomer- en wintertijd vanzelf kloppen.")
    typer.echo(plan.cron)
    typer.echo("")
    typer.echo(f"# Geheimen (KLACHTEN_SMTP_PASSWORD=…) horen in ~/{SECRETS}, leesbaar alleen voor u (chmod 600).")


@app.command(options_metavar="[OPTIES]", name="config")
@handle_errors
def config_cmd(config: ConfigOption = None) -> None:
    """Controleer het configuratiebestand en toon de termijnen die de tool bewaakt."""
    from register.readiness import missing

    cfg = load(config)
    t = cfg.termijnen
    warn_examples(cfg)
    warn_escalation(cfg)
    gaps = missing(cfg)
    not_ready = [use for use, lines in gaps.items() if lines]
    if not_ready:
        typer.echo(f"Configuratie gelezen, maar nog niet klaar: {cfg.path}")
    else:
        typer.echo(f"Configuratie in orde: {cfg.path} (brieven, site en mail kunnen worden gemaakt)")
    for use, lines in gaps.items():
        typer.echo(f"  {use}: {'nog niet in orde' if lines else 'in orde'}")
        for line in lines:
            typer.echo(f"    {line}")
    if cfg.mail.bezorging == "bestand":
        typer.echo(f"  de dagmail wordt niet verstuurd maar geschreven in {cfg.digest_file_dir()}")
    typer.echo(f"  ontvangstbevestiging binnen {t.bevestiging}")
    typer.echo(f"  standpunt binnen {t.standpunt} (uitstel tot maximaal {t.uitstel_maximaal} extra)")
    typer.echo(f"  waarschuwen {t.waarschuwing_werkdagen} werkdagen vooraf; bewaartermijn {cfg.bewaren.termijn}")
    typer.echo(f"  register: {cfg.register.bron} ({cfg.register.pad if cfg.register.bron == 'xlsx' else cfg.register.spreadsheet})")
    if cfg.register.bron == "google":
        import os

        env = cfg.register.credentials_env
        if not (env and os.environ.get(env)) and not (Path.home() / ".config" / "gspread" / "service_account.json").is_file():
            typer.echo(f"Let op: geen Google-sleutel gevonden; zet {env} op het pad van het "
                       f"service-account-bestand en controleer met 'klachten verbinding'", err=True)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit:
        raise
    except Exception:  # last resort: a bug, still no traceback for the owner
        # No class name or English text for the owner; KLACHTEN_DEBUG=1 shows the traceback.
        typer.echo("Fout: onverwachte fout in klachten; voer de opdracht opnieuw uit met KLACHTEN_DEBUG=1 "
                   "en meld de uitvoer", err=True)
        if __import__("os").environ.get("KLACHTEN_DEBUG"):
            raise
        sys.exit(EXIT_FINDINGS)


if __name__ == "__main__":
    main()
