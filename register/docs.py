"""Generate docs/configuratie.md and docs/register.md from the declared schemas.

    python -m register.docs        # rewrite both files
A test checks that the committed files equal what this produces, so the docs stay true.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .config import describe_schema
from .schema import COLUMNS, TOOL_COLUMNS, URGENCY_LABELS
from .signals import SIGNALS

ROOT = Path(__file__).resolve().parent.parent

CONFIG_INTRO = """# Configuratie (klachten.toml)

Eén bestand is de enige bron van waarheid: de termijnen die `klachten` bewaakt, zijn precies
de termijnen die de gepubliceerde klachtenregeling en de brieven noemen. Paden zijn relatief
aan de map van het configuratiebestand. `klachten config` controleert het bestand.

- Termijnen schrijft u met hun eenheid: `"7 werkdagen"`, `"14 kalenderdagen"`, `"2 weken"`.
  Werkdagen volgen de Algemene termijnenwet (weekend en erkende feestdagen tellen niet mee,
  5 mei elk jaar), plus de eigen sluitingsdagen uit `[kalender]`. Een termijn in
  kalenderdagen of weken die op een gesloten dag eindigt, schuift door naar de eerstvolgende
  werkdag.
- De bewaartermijn is minstens 1 jaar na afhandeling. Korter kan alleen met
  `korter_toestaan = true`.
- Geheimen staan nooit in dit bestand. Instellingen die op `_env` eindigen bevatten de
  **naam** van een omgevingsvariabele (bijv. `KLACHTEN_SMTP_PASSWORD`), niet de waarde.
- Een onbekende sleutel, een verkeerd type of een onmogelijke waarde geeft een Nederlandse
  foutmelding met de sleutel en een tip (`bedoelde u 'termijn'?`), en exitcode 2.

"""

REGISTER_TAIL = """
## Controles

`klachten controleer` meldt elk probleem met zijn cel (bijv. `F14`). **Fouten** maken het
register onbruikbaar of onmogelijk (exitcode 1): een verplichte waarde of kolom ontbreekt,
een datum is onleesbaar of ligt in de toekomst, een bevestiging of standpunt ligt vóór de
ontvangst, een afgehandelde klacht heeft geen Datum standpunt, een klachtnummer komt twee keer
voor, of Kanaal, Status, Standpunt, Urgentie,
Tevreden of Wijze van afhandeling heeft een onbekende waarde. **Waarschuwingen** zijn
waarschijnlijk vergissingen waar de tool omheen kan: status en Datum standpunt spreken elkaar
tegen, Wijze van afhandeling ontbreekt bij een afgehandelde klacht, de Behandelaar is de betrokken medewerker, een verlenging is te lang of te laat gemeld, een e-mailadres is ongeldig, of een
categorie of oorzaak staat niet in de lijst.

Tekst die op de website komt (de Maatregel, en de teksten over de organisatie, de
klachtbehandeling en de escalatie uit `klachten.toml`) mag geen persoonsgegeven van welke
klacht dan ook bevatten: een naam, adres, postcode, e-mailadres, telefoonnummer of zes woorden
uit een vrije tekst. `controleer` meldt zo'n cel als fout met code `publiek_persoonsgegeven`
en noemt de kolom en rij van het gegeven, niet het gegeven zelf (zie
[privacy.md](privacy.md#publicatiegrens)).

## Codes van de controles

{findings}
## Signalen

{signals}
Een verlenging telt alleen als het uitstelbericht vóór of op de laatste dag van de
oorspronkelijke termijn is verstuurd en Verlengd tot binnen het maximum valt. Een bericht op de
laatste dag zelf verlengt nog wel, maar `controleer` waarschuwt (`uitstel_laatste_dag`).

## Bewaartermijn

De bewaartermijn (`[bewaren] termijn`) loopt vanaf *Datum standpunt* van een afgehandelde klacht.
Is de klacht voorgelegd aan een geschilleninstantie of de rechter (*Geëscaleerd naar*), dan
blijft het dossier bewaard tot die procedure is afgerond: vul dan *Procedure afgerond op* in; de
termijn loopt vanaf die datum als die later is. Zolang die datum leeg is, vraagt het signaal
`procedure_afgerond_navragen` er na `[bewaren] procedure_navragen` om. Ontbreekt de Datum
standpunt van een afgehandelde klacht (de fout `standpuntdatum_ontbreekt`), dan loopt de termijn
niet en wordt de klacht nooit geanonimiseerd tot u de datum invult: zo verdwijnen gegevens nooit
eerder dan een jaar na de echte afhandeling. Vanaf de dag dat de termijn verstreken is maken
`brief` en `brieven` geen brieven meer voor de klacht en meldt de dagmail
`bewaartermijn_verlopen`. `klachten anonimiseer --uitvoeren` wist dan de persoonsgegevens (ook
die van een vertegenwoordiger en de betrokken medewerker), ook uit brieven, mail en cache;
back-ups volgen binnen `[nachtrun] backups_bewaren` dagen. De klachtenregeling (deel 9) zegt
hetzelfde.

## Vertegenwoordiger, betrokken medewerker, buiten de regeling

- Dient iemand de klacht in namens de klager, vul dan *Vertegenwoordiger* en diens adres of
  e-mailadres in. Elke brief noemt de vertegenwoordiger onder "Afschrift aan" en gaat per e-mail
  ook naar diens adres (in kopie). Inzage en anonimiseren behandelen beiden als personen van de
  klacht.
- Gaat de klacht over een medewerker, vul dan *Betrokken medewerker* in. Is de Behandelaar
  dezelfde persoon, dan waarschuwt `controleer` (`behandelaar_is_betrokkene`).
- Valt een klacht buiten de regeling, kies dan bij *Standpunt* `buiten de regeling` en schrijf in
  *Motivering* waarom. De klager hoort dat binnen `[termijnen] buiten_regeling` (standaard 7
  werkdagen) met de brief `buiten_regeling`; het signaal is dan `buiten_regeling_te_laat`, nooit
  `standpunt_te_laat`.
- Een uitstelbericht hoort ruim vóór het einde van de standpunttermijn te komen: het signaal
  `uitstelbericht_nodig` verschijnt `[termijnen] uitstel_melden_werkdagen` (standaard 5)
  werkdagen vooraf. `klachten brief … uitstelbericht` op of na de laatste dag maakt de brief
  alleen met `--te-laat`; de brief zegt dan dat hij te laat komt.
"""


def signals_table() -> str:
    """The signals table, from the declarations in register.signals."""
    rows = ["| Signaal | Wanneer |", "|---|---|"]
    rows += [f"| `{s.name}` | {s.when} |" for s in SIGNALS]
    return "\n".join(rows) + "\n"


def findings_table() -> str:
    """Every finding code with its severity, from register.validate.FINDING_KINDS."""
    from .validate import FINDING_KINDS

    rows = ["| Code | Ernst | Betekenis |", "|---|---|---|"]
    rows += [f"| `{code}` | {severity.value} | {meaning} |" for code, (severity, meaning) in FINDING_KINDS.items()]
    return "\n".join(rows) + "\n"


def config_doc() -> str:
    return CONFIG_INTRO + describe_schema()


def register_doc() -> str:
    kinds = {"date": "datum (3-2-2026, 2026-02-03, 3 februari 2026)", "list": "lijst uit de configuratie ([lijsten])",
             "urgency": "1 t/m 8", "email": "e-mailadres",
             "amount": "bedrag in euro (50, 49,95 of € 1.250,00)"}
    lines = ["# Het klachtenregister", "",
             "Eén rij per klacht; de eerste rij bevat de kolomkoppen. Koppen worden herkend ongeacht",
             "hoofdletters, spaties, leestekens en accenten (`datum ontvangst` = `Datum Ontvangst`). De",
             "volgorde van de kolommen is vrij; eigen extra kolommen blijven staan en worden genegeerd.",
             "Lege rijen en herhaalde kopregels worden overgeslagen.", "",
             "| Kolom | Verplicht | Inhoud | Toegestane waarden |", "|---|---|---|---|"]
    for c in COLUMNS:
        allowed = ", ".join(c.choices) if c.choices else kinds.get(c.kind, "tekst")
        lines.append(f"| {c.header} | {'ja' if c.required else 'nee'} | {c.help} | {allowed} |")
    lines += ["", "## Urgentie (NVKL-indeling)", ""] + [f"{n}. {t}" for n, t in URGENCY_LABELS.items()]
    lines += ["", "## Kolommen van de tool", "",
              "Deze kolommen maakt `klachten inrichten` aan; `klachten controleer --schrijf` vult ze.",
              "Schrijf er zelf niet in.", ""]
    lines += [f"- **{c.header}**: {c.help}" for c in TOOL_COLUMNS]
    return "\n".join(lines) + "\n" + REGISTER_TAIL.replace("{signals}", signals_table()).replace(
        "{findings}", findings_table())


def main() -> None:
    (ROOT / "docs" / "configuratie.md").write_text(config_doc(), encoding="utf-8")
    (ROOT / "docs" / "register.md").write_text(register_doc(), encoding="utf-8")
    print("docs/configuratie.md en docs/register.md bijgewerkt", file=sys.stderr)


if __name__ == "__main__":
    main()
