"""`manage.py seed_demo`: a believable portal to click through on a laptop.

Creates the catalogue (tasks, neighbourhoods), demo accounts with published
passwords, and a dozen challenges in every stage of the process, each with a
history of several months. Everything about a challenge is made through the
services, exactly as the portal would have made it, under a controlled clock:
`django.utils.timezone.now` is patched around every service call, so
`created_at`, `submitted_at`, due dates and timeline events carry the date the
step "happened". All steps of all challenges run in date order, so the timeline
ids follow the dates like they would in real life.

Idempotent: accounts are looked up by e-mail, catalogue entries by name and
challenges by their fixed title and initiator; what exists is left alone. The
whole run is one transaction: it seeds everything or nothing.

The demo passwords are printed and written in this file, so the command refuses
to run with the production settings unless told otherwise.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from challenges import permissions
from challenges.constants import LegalForm, Status, Visibility
from challenges.models import Challenge, Criterion, Invitation, Neighbourhood, Task
from challenges.services import (
    assessment_record,
    challenge_add_addition,
    challenge_add_note,
    challenge_create_draft,
    challenge_transition,
    challenge_update_draft,
    invitation_accept,
    invitation_create,
)
from partnerships import selectors as partnership_selectors
from partnerships import services as partnership_services
from partnerships.models import AgreementVersion, Document, Knot, Milestone

S = Status
V = Visibility

# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    key: str
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    password: str | None = None  # None: a background challenger who cannot log in
    groups: tuple[str, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False
    joined_days_ago: int = 400

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# Readable, at least 10 characters and accepted by AUTH_PASSWORD_VALIDATORS.
ACCOUNTS = [
    Account(
        key="resident",
        username="bewoner",
        email="bewoner@example.org",
        first_name="Fatima",
        last_name="Bouzid",
        role="bewoner (uitdager)",
        password="demo-bewoner-2026",  # noqa: S106
        joined_days_ago=335,
    ),
    Account(
        key="neighbour",
        username="buurvrouw",
        email="buurvrouw@example.org",
        first_name="Joke",
        last_name="van Dijk",
        role="bewoner, mede-initiatiefnemer",
        password="demo-buurvrouw-2026",  # noqa: S106
        joined_days_ago=305,
    ),
    Account(
        key="reviewer",
        username="beoordelaar",
        email="beoordelaar@example.org",
        first_name="Sanne",
        last_name="Jansen",
        role="beoordelaar (ambtenaar)",
        password="demo-beoordelaar-2026",  # noqa: S106
        groups=(permissions.REVIEWER_GROUP,),
        is_staff=True,
        joined_days_ago=430,
    ),
    Account(
        key="coordinator",
        username="coordinator",
        email="coordinator@example.org",
        first_name="Ruud",
        last_name="Hendriks",
        role="coördinator uitdaagrecht",
        password="demo-coordinator-2026",  # noqa: S106
        groups=(permissions.COORDINATOR_GROUP,),
        is_staff=True,
        joined_days_ago=430,
    ),
    Account(
        key="admin",
        username="beheer",
        email="beheer@example.org",
        first_name="Linda",
        last_name="Smit",
        role="functioneel beheerder",
        password="demo-beheer-2026",  # noqa: S106
        is_staff=True,
        is_superuser=True,
        joined_days_ago=440,
    ),
    # Challengers of the other challenges; they make the public log look like a
    # real municipality's but have no password.
    Account(
        key="groenwerkt",
        username="groenwerkt",
        email="groenwerkt@example.org",
        first_name="Ahmed",
        last_name="Yılmaz",
        role="uitdager (achtergrond)",
        joined_days_ago=425,
    ),
    Account(
        key="buurtbus",
        username="buurtbus",
        email="buurtbus@example.org",
        first_name="Henk",
        last_name="Mulder",
        role="uitdager (achtergrond)",
        joined_days_ago=385,
    ),
    Account(
        key="stalling",
        username="stalling",
        email="stalling@example.org",
        first_name="Mark",
        last_name="Verhoeven",
        role="uitdager (achtergrond)",
        joined_days_ago=195,
    ),
    Account(
        key="speeltuin",
        username="speeltuin",
        email="speeltuin@example.org",
        first_name="Priya",
        last_name="Ramdin",
        role="uitdager (achtergrond)",
        joined_days_ago=100,
    ),
    Account(
        key="kerkebuurt",
        username="kerkebuurt",
        email="kerkebuurt@example.org",
        first_name="Wim",
        last_name="Bakker",
        role="uitdager (achtergrond)",
        joined_days_ago=135,
    ),
    Account(
        key="hetzand",
        username="hetzand",
        email="hetzand@example.org",
        first_name="Sevda",
        last_name="Kaya",
        role="uitdager (achtergrond)",
        joined_days_ago=75,
    ),
    Account(
        key="wielewaal",
        username="wielewaal",
        email="wielewaal@example.org",
        first_name="Els",
        last_name="de Boer",
        role="uitdager (achtergrond)",
        joined_days_ago=65,
    ),
]

# ---------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------

NEIGHBOURHOODS = [
    "De Horsten",
    "Het Zand",
    "Kerkebuurt",
    "Molenkwartier",
    "Oosterpark",
    "Vogelwijk",
]

TASKS = [
    (
        "Onderhoud buurtpark De Horsten",
        "Stadsbeheer, team Groen",
        "148500.00",
        "Maaien, snoeien, vegen en het legen van afvalbakken in het buurtpark De Horsten "
        "(4,2 hectare), inclusief het onderhoud van de paden, de vijverrand en de "
        "hondenuitlaatplaats. Nu uitgevoerd door een aannemer op basis van een bestek.",
    ),
    (
        "Beheer buurthuis De Schakel",
        "Maatschappelijke Ontwikkeling",
        "212000.00",
        "Openstelling, verhuur en beheer van buurthuis De Schakel aan het Oosterplein: "
        "sleutelbeheer, schoonmaak, kleine reparaties en de programmering van de zalen. "
        "Nu belegd bij een welzijnsorganisatie met een beheerder in loondienst.",
    ),
    (
        "Groenonderhoud rotondes",
        "Stadsbeheer, team Groen",
        "64000.00",
        "Beplanting, maaien en zwerfafval ruimen op de 23 rotondes binnen de bebouwde kom. "
        "Verkeersveiligheid gaat voor: het zicht op kruisende fietsers moet vrij blijven.",
    ),
    (
        "Vervoer naar dagbesteding",
        "Zorg en Welzijn (Wmo)",
        "385000.00",
        "Dagelijks vervoer van ongeveer 140 inwoners met een Wmo-indicatie van huis naar "
        "hun dagbestedingslocatie en terug, nu ingekocht bij een regionale vervoerder.",
    ),
    (
        "Beheer en onderhoud speeltuinen",
        "Openbare Ruimte",
        "73000.00",
        "Inspectie volgens het Warenwetbesluit attractie- en speeltoestellen, klein "
        "onderhoud, zandverversing en het schoonhouden van de openbare speeltuinen.",
    ),
    (
        "Schoonhouden van straten en pleinen",
        "Stadsbeheer, team Reiniging",
        "92000.00",
        "Het ruimen van zwerfafval en het legen van afvalbakken in straten, op pleinen en "
        "in plantsoenen, aanvullend op de machinale veegroutes.",
    ),
    (
        "Exploitatie kinderboerderij De Wielewaal",
        "Maatschappelijke Ontwikkeling",
        "118000.00",
        "Dierverzorging, openstelling zes dagen per week, educatieve programma's voor "
        "basisscholen en het onderhoud van stallen en weide van kinderboerderij De Wielewaal.",
    ),
    (
        "Exploitatie fietsenstalling Stationsplein",
        "Mobiliteit",
        "156000.00",
        "Bewaakte, gratis fietsenstalling met 1.200 plaatsen aan het Stationsplein: "
        "toezicht van 6.00 tot 1.00 uur, het verwijderen van weesfietsen en schoonmaak.",
    ),
    (
        "Boodschappen- en klusdienst voor ouderen",
        "Zorg en Welzijn (Wmo)",
        "126000.00",
        "Hulp bij boodschappen en kleine klussen in huis voor thuiswonende ouderen met een "
        "lichte ondersteuningsvraag, nu uitgevoerd door een welzijnsorganisatie.",
    ),
]

# ---------------------------------------------------------------------------
# Challenges: a plan and a history of steps each
# ---------------------------------------------------------------------------

# Criteria by their English name, as created by migration 0002. Criteria a
# functional administrator adds later are simply not scored in the demo.
SV = "Social value"
QF = "Quality and feasibility"
COST = "Cost compared with the current cost"
SUP = "Support in the neighbourhood"
CONT = "Continuity and risks"
LEGAL = "Legal room"


@dataclass(frozen=True)
class Step:
    days_ago: int
    clock: str  # local time "HH:MM"
    action: str  # create | plan | invite | accept | move | addition | note | assess
    actor: str = ""  # Account.key
    to: str = ""
    text: str = ""
    visibility: str = ""
    email: str = ""
    scores: tuple = ()  # ((criterion name_en, score, motivation), ...)
    extra: dict = field(default_factory=dict)  # the partnership actions' details


def create(d, t):
    return Step(d, t, "create")


def plan(d, t):
    return Step(d, t, "plan")


def invite(d, t, actor, email):
    return Step(d, t, "invite", actor=actor, email=email)


def accept(d, t, actor):
    return Step(d, t, "accept", actor=actor)


def move(d, t, actor, to, motivation=""):
    return Step(d, t, "move", actor=actor, to=to, text=motivation)


def addition(d, t, actor, text, visibility=V.PARTIES):
    return Step(d, t, "addition", actor=actor, text=text, visibility=visibility)


def note(d, t, actor, text, visibility=V.PARTIES):
    return Step(d, t, "note", actor=actor, text=text, visibility=visibility)


def assess(d, t, actor, *scores):
    return Step(d, t, "assess", actor=actor, scores=scores)


@dataclass(frozen=True)
class Scenario:
    initiator: str
    task: str
    neighbourhood: str
    title: str
    summary: str
    approach: str
    social_value: str
    budget: str
    legal_form: str
    team: str
    support: str
    steps: list[Step] = field(default_factory=list)


SCENARIOS = [
    # --- completed: a full cycle, a pilot year --------------------------------------
    Scenario(
        initiator="groenwerkt",
        task="Groenonderhoud rotondes",
        neighbourhood="Molenkwartier",
        title="Groen Werkt: rotondes als leerwerkplek",
        summary="Sociale onderneming Groen Werkt onderhoudt de rotondes in het "
        "Molenkwartier met een ploeg van zes mensen die weer aan het werk willen, onder "
        "leiding van een ervaren hovenier.",
        approach="Een vaste ploeg werkt elke week een vaste route af: maaien, schoffelen, "
        "snoeien en zwerfafval ruimen. Een gediplomeerd hovenier stuurt de ploeg aan en "
        "houdt het zicht voor verkeer vrij volgens de richtlijnen van de gemeente. We "
        "werken met elektrisch gereedschap, zodat we ook vroeg in de ochtend geen "
        "overlast geven.",
        social_value="Zes inwoners met een afstand tot de arbeidsmarkt krijgen een "
        "leerwerkplek met een erkend certificaat (Medewerker groen). De rotondes worden "
        "bloemrijker: we zaaien inheemse mengsels in voor bijen en vlinders.",
        budget="59500.00",
        legal_form=LegalForm.COMPANY,
        team="Groen Werkt BV is een sociale onderneming met acht jaar ervaring in "
        "groenonderhoud voor woningcorporaties. Ahmed Yılmaz (hovenier, VCA) leidt de "
        "ploeg; een jobcoach begeleidt de deelnemers.",
        support="Wijkraad Molenkwartier steunt het plan schriftelijk. 86 buurtbewoners "
        "tekenden de steunverklaring; de ondernemersvereniging wil meedoen met "
        "plantvakken bij de winkelstrip.",
        steps=[
            create(420, "10:15"),
            plan(416, "14:30"),
            move(414, "09:05", "groenwerkt", S.SUBMITTED),
            move(
                408,
                "10:40",
                "reviewer",
                S.INTAKE,
                "De uitdaging is ontvankelijk. We plannen een verkennend gesprek.",
            ),
            note(
                405,
                "15:20",
                "reviewer",
                "Verkennend gesprek gevoerd op het stadskantoor met de hovenier en de "
                "jobcoach. Afgesproken: Groen Werkt levert een werkplanning per seizoen "
                "en een bewijs van de aansprakelijkheidsverzekering aan.",
            ),
            addition(
                401,
                "16:05",
                "groenwerkt",
                "Zoals afgesproken: de werkplanning per seizoen en de polis van onze "
                "aansprakelijkheidsverzekering zijn naar de beoordelaar gemaild.",
            ),
            move(395, "09:30", "reviewer", S.ASSESSMENT),
            assess(
                390,
                "11:00",
                "reviewer",
                (SV, 5, "Zes leerwerkplekken met certificaat, plus meer biodiversiteit."),
                (QF, 4, "Ervaren hovenier en vaste ploeg; planning is realistisch."),
                (COST, 4, "Gevraagd budget ligt 7% onder de huidige kosten."),
                (SUP, 4, "Steun van wijkraad, 86 bewoners en de ondernemersvereniging."),
                (
                    CONT,
                    3,
                    "Afhankelijk van één hovenier; vervanging bij ziekte "
                    "moet in de overeenkomst geregeld worden.",
                ),
                (
                    LEGAL,
                    4,
                    "Onder de drempel voor Europese aanbesteding; "
                    "enkelvoudig onderhands gunnen is toegestaan.",
                ),
            ),
            move(380, "14:00", "reviewer", S.DECISION),
            move(
                352,
                "16:30",
                "reviewer",
                S.ACCEPTED,
                "Het college neemt de uitdaging over: Groen Werkt biedt meer "
                "maatschappelijke meerwaarde (leerwerkplekken, biodiversiteit) tegen "
                "lagere kosten. We starten met een pilot van één jaar; daarna "
                "evalueren we samen.",
            ),
            move(348, "09:15", "reviewer", S.AGREEMENT),
            addition(
                330,
                "13:45",
                "groenwerkt",
                "Onze opmerkingen bij de concept-overeenkomst: we vragen om een "
                "vervangingsregeling via de gemeentelijke aannemer bij langdurige "
                "uitval van de hovenier.",
            ),
            move(
                320,
                "11:20",
                "reviewer",
                S.EXECUTION,
                "De overeenkomst is getekend door beide contactpersonen. De pilot loopt één jaar.",
            ),
            addition(
                250,
                "17:10",
                "groenwerkt",
                "Eerste kwartaal: alle rotondes zijn ingezaaid, twee deelnemers "
                "hebben hun certificaat gehaald.",
                V.PUBLIC,
            ),
            note(
                180,
                "10:05",
                "reviewer",
                "Tussentijdse schouw samen met team Groen: beeldkwaliteit B of beter "
                "op alle rotondes; zicht voor fietsers overal vrij.",
                V.PUBLIC,
            ),
            addition(
                90,
                "16:40",
                "groenwerkt",
                "Derde kwartaal: drie deelnemers zijn doorgestroomd naar een betaalde "
                "baan bij een hoveniersbedrijf. Nieuwe deelnemers zijn gestart.",
                V.PUBLIC,
            ),
            move(
                45,
                "09:00",
                "reviewer",
                S.EVALUATION,
                "Het pilotjaar is voorbij; we evalueren de samenwerking samen.",
            ),
            addition(
                30,
                "15:30",
                "groenwerkt",
                "Onze reflectie: de samenwerking met team Groen liep goed; de "
                "afstemming over de maaimomenten kan eenvoudiger met een gedeelde "
                "planning.",
            ),
            move(
                15,
                "11:45",
                "coordinator",
                S.COMPLETED,
                "Evaluatie afgerond. De pilot is geslaagd; de gemeente zet de "
                "samenwerking voort als reguliere opdracht.",
            ),
        ],
    ),
    # --- evaluation: with a spell on hold during execution -------------------------
    Scenario(
        initiator="buurtbus",
        task="Vervoer naar dagbesteding",
        neighbourhood="Oosterpark",
        title="Buurtbus Oost: vervoer naar dagbesteding met buurtchauffeurs",
        summary="Een coöperatie van vrijwillige buurtchauffeurs rijdt deelnemers uit "
        "Oosterpark met twee elektrische busjes naar hun dagbesteding: vaste chauffeurs, "
        "vaste tijden, bekende gezichten.",
        approach="Twee elektrische busjes met rolstoellift rijden vaste ritten in de "
        "ochtend en de middag. Een betaalde planner stelt de routes op; twintig "
        "vrijwillige chauffeurs rijden in vaste koppels. Bij uitval springt een "
        "regionale taxicentrale in op basis van een raamafspraak.",
        social_value="Deelnemers worden gereden door buren die ze kennen, wat onrust en "
        "wachttijd vermindert. Vrijwilligers vinden zinvol werk; de busjes rijden "
        "overdag ook voor de boodschappenritten van het buurthuis.",
        budget="342000.00",
        legal_form=LegalForm.COOPERATIVE,
        team="Coöperatie Buurtbus Oost U.A. draait sinds 2019 een buurtbuslijn. Henk "
        "Mulder (voorzitter, oud-planner bij een vervoerder) is de contactpersoon; alle "
        "chauffeurs hebben een VOG en volgen jaarlijks een rijvaardigheidstraining.",
        support="Twee dagbestedingslocaties en de cliëntenraad Wmo steunen het plan. "
        "Er meldden zich 27 buurtbewoners als chauffeur.",
        steps=[
            create(380, "19:45"),
            plan(377, "20:30"),
            move(375, "10:10", "buurtbus", S.SUBMITTED),
            move(
                368,
                "09:40",
                "reviewer",
                S.INTAKE,
                "Ontvankelijk. Verkennend gesprek met de coöperatie en de "
                "Wmo-consulenten wordt gepland.",
            ),
            move(350, "13:15", "reviewer", S.ASSESSMENT),
            assess(
                340,
                "10:30",
                "reviewer",
                (
                    SV,
                    5,
                    "Vertrouwde chauffeurs uit de buurt; minder onrust bij "
                    "deelnemers, zinvol vrijwilligerswerk.",
                ),
                (QF, 4, "Ervaren planner; back-up via de taxicentrale is geregeld."),
                (COST, 4, "11% lager dan de huidige inkoop."),
                (SUP, 5, "Cliëntenraad en beide locaties steunen het plan."),
                (
                    CONT,
                    3,
                    "Afhankelijk van vrijwilligers; de reservepool moet groot genoeg blijven.",
                ),
                (
                    LEGAL,
                    3,
                    "Sociale en specifieke dienst; verlicht regime van de "
                    "Aanbestedingswet is van toepassing.",
                ),
            ),
            move(333, "15:00", "reviewer", S.DECISION),
            move(
                300,
                "16:45",
                "reviewer",
                S.ACCEPTED,
                "Het college neemt de uitdaging over voor het Oosterpark, als proef "
                "naast het bestaande contract in de rest van de gemeente.",
            ),
            move(296, "09:20", "reviewer", S.AGREEMENT),
            move(
                240,
                "14:10",
                "reviewer",
                S.EXECUTION,
                "Overeenkomst getekend; de eerste ritten starten op maandag.",
            ),
            addition(
                200,
                "18:20",
                "buurtbus",
                "De eerste zes weken: 98% van de ritten op tijd, geen enkele gemiste rit.",
                V.PUBLIC,
            ),
            move(
                150,
                "08:50",
                "reviewer",
                S.ON_HOLD,
                "De verzekering van de chauffeurs is verlopen. Tot er een nieuwe polis "
                "is, rijdt de regionale vervoerder de ritten.",
            ),
            addition(
                144,
                "20:05",
                "buurtbus",
                "De nieuwe polis is afgesloten; de polis is naar de contactpersoon gemaild.",
            ),
            move(
                138,
                "10:00",
                "reviewer",
                S.EXECUTION,
                "Nieuwe polis ontvangen en gecontroleerd; de buurtbus rijdt weer.",
            ),
            addition(
                70,
                "19:30",
                "buurtbus",
                "Halfjaarcijfers: 99% van de ritten op tijd, vier nieuwe chauffeurs.",
                V.PUBLIC,
            ),
            move(
                12,
                "09:30",
                "reviewer",
                S.EVALUATION,
                "Na het eerste jaar evalueren we samen met de cliëntenraad.",
            ),
            note(
                6,
                "14:15",
                "coordinator",
                "Evaluatiegesprek gepland met coöperatie, cliëntenraad en team Wmo.",
            ),
        ],
    ),
    # --- withdrawn: an early attempt, replaced by a broader plan --------------------
    Scenario(
        initiator="neighbour",
        task="Beheer buurthuis De Schakel",
        neighbourhood="Oosterpark",
        title="Jongerenhuis in De Schakel",
        summary="Een groep ouders wil buurthuis De Schakel 's avonds openstellen als "
        "jongerenhuis, beheerd door vrijwilligers.",
        approach="Vrijwilligers openen het buurthuis vier avonden per week voor "
        "jongeren van 12 tot 18 jaar, met huiswerkbegeleiding en een sportavond.",
        social_value="Jongeren hebben een eigen plek in de wijk en minder reden om op "
        "straat rond te hangen.",
        budget="95000.00",
        legal_form=LegalForm.INFORMAL_GROUP,
        team="Acht ouders uit het Oosterpark, onder wie een jongerenwerker en een docent.",
        support="Er zijn 45 handtekeningen van ouders en jongeren opgehaald.",
        steps=[
            create(240, "20:15"),
            plan(236, "21:00"),
            move(235, "19:50", "neighbour", S.SUBMITTED),
            move(229, "10:20", "reviewer", S.INTAKE),
            note(
                224,
                "16:00",
                "reviewer",
                "Verkennend gesprek gevoerd. Het plan dekt alleen de avonden; voor het "
                "beheer overdag is nog geen oplossing.",
            ),
            move(
                214,
                "21:30",
                "neighbour",
                S.WITHDRAWN,
                "Na het verkennende gesprek trekken we deze uitdaging in. We dienen "
                "samen met de bewonerscommissie een breder plan in voor het hele "
                "beheer van De Schakel.",
            ),
        ],
    ),
    # --- agreement: negotiation runs past its target (overdue) ----------------------
    Scenario(
        initiator="neighbour",
        task="Beheer buurthuis De Schakel",
        neighbourhood="Oosterpark",
        title="Buurthuis De Schakel van en voor de buurt",
        summary="Een nieuwe bewonersstichting neemt het hele beheer van buurthuis De "
        "Schakel over: overdag voor ouderen en verenigingen, 's avonds voor jongeren.",
        approach="Een betaalde beheerder (24 uur per week) en een vaste groep van 30 "
        "vrijwilligers houden het buurthuis zes dagen per week open. Zaalverhuur aan "
        "verenigingen dekt een deel van de kosten. Schoonmaak en onderhoud besteden we "
        "uit aan een sociale onderneming uit de wijk.",
        social_value="Meer openingsuren (van 32 naar 60 per week), een jongerenavond, "
        "een dagelijkse koffieochtend voor ouderen en een plek waar bewoners zelf "
        "activiteiten organiseren.",
        budget="176000.00",
        legal_form=LegalForm.FOUNDATION,
        team="Stichting De Schakel Van Ons, opgericht door de bewonerscommissie en een "
        "groep ouders. Het bestuur heeft ervaring met financiën, vastgoed en "
        "jongerenwerk.",
        support="De bewonerscommissie, vijf verenigingen die de zalen huren en 212 "
        "buurtbewoners steunen het plan.",
        steps=[
            create(200, "20:00"),
            invite(199, "20:20", "neighbour", "bewoner@example.org"),
            accept(198, "19:10", "resident"),
            plan(195, "21:15"),
            move(193, "20:45", "neighbour", S.SUBMITTED),
            move(
                186,
                "09:50",
                "reviewer",
                S.INTAKE,
                "Ontvankelijk. Dit plan volgt op de ingetrokken uitdaging "
                "‘Jongerenhuis in De Schakel’.",
            ),
            move(170, "11:30", "reviewer", S.ASSESSMENT),
            assess(
                163,
                "10:00",
                "reviewer",
                (
                    SV,
                    5,
                    "Bijna twee keer zoveel openingsuren en activiteiten voor alle leeftijden.",
                ),
                (QF, 4, "Beheerder in loondienst plus vaste vrijwilligers; onderhoud uitbesteed."),
                (COST, 4, "17% lager dan de huidige kosten."),
                (SUP, 5, "Brede steun: bewonerscommissie, verenigingen en 212 bewoners."),
                (CONT, 3, "Jonge stichting; een reserve voor tegenvallers moet in de begroting."),
                (
                    LEGAL,
                    3,
                    "Huurprijs van het gebouw moet marktconform zijn in verband met staatssteun.",
                ),
            ),
            move(155, "14:20", "reviewer", S.DECISION),
            move(
                126,
                "16:00",
                "reviewer",
                S.ACCEPTED,
                "Het college neemt de uitdaging over: het plan vergroot de openstelling "
                "en het draagvlak is groot. Voorwaarde: een sluitende "
                "meerjarenbegroting met reserve.",
            ),
            move(118, "09:10", "reviewer", S.AGREEMENT),
            addition(
                80,
                "20:40",
                "neighbour",
                "Onze reactie op de concept-overeenkomst: we kunnen de voorgestelde "
                "huurprijs niet dragen zonder de jongerenavond te schrappen.",
            ),
            note(
                60,
                "11:15",
                "reviewer",
                "Advies Juridische Zaken: een huur onder de marktprijs is staatssteun, "
                "tenzij de stichting geen economische activiteit verricht. Uitzoeken of "
                "de zaalverhuur daaronder valt.",
                V.INTERNAL,
            ),
            note(
                25,
                "10:30",
                "reviewer",
                "We hebben nog geen antwoord op de huurvraag. Het onderwerp staat op de "
                "agenda van het overleg met de wethouder van volgende week.",
            ),
            addition(
                10,
                "21:05",
                "resident",
                "De overeenkomst had volgens de planning al getekend moeten zijn. "
                "Wanneer horen we iets over de huur?",
            ),
        ],
    ),
    # --- execution: the resident's own park, with a co-initiator --------------------
    Scenario(
        initiator="resident",
        task="Onderhoud buurtpark De Horsten",
        neighbourhood="De Horsten",
        title="Vrienden van De Horsten onderhouden hun park",
        summary="Buurtbewoners nemen het dagelijks onderhoud van park De Horsten over "
        "en maken er samen een groener en schoner park van.",
        approach="Vaste werkploegen van bewoners doen op dinsdag en zaterdag het "
        "maaien, vegen en legen van de afvalbakken. Zwaar werk (bomen snoeien, "
        "vijverrand herstellen) besteden we uit aan een erkend hoveniersbedrijf. Een "
        "coördinator van de vereniging plant het werk en houdt contact met de gemeente.",
        social_value="Buren leren elkaar kennen in de werkploegen, jongeren uit de wijk "
        "verdienen hun eerste geld met maaiwerk, en we leggen een bloemenweide en een "
        "pluktuin aan waar de basisschool lessen geeft.",
        budget="129000.00",
        legal_form=LegalForm.ASSOCIATION,
        team="Vereniging Vrienden van De Horsten (opgericht in 2021, 140 leden). Fatima "
        "Bouzid (coördinator, projectleider bij een woningcorporatie) en Joke van Dijk "
        "(penningmeester, oud-boekhouder) zijn de trekkers.",
        support="312 handtekeningen uit de wijk, steunbrieven van basisschool De "
        "Horstenhof, de hondenbezitters van het park en de wijkagent.",
        steps=[
            create(330, "20:10"),
            invite(329, "20:40", "resident", "buurvrouw@example.org"),
            accept(328, "19:15", "neighbour"),
            plan(322, "21:05"),
            move(320, "20:30", "resident", S.SUBMITTED),
            move(
                313,
                "10:00",
                "reviewer",
                S.INTAKE,
                "Ontvankelijk. We nodigen de vereniging uit voor een verkennend "
                "gesprek in het park.",
            ),
            note(
                306,
                "16:45",
                "reviewer",
                "Verkennend gesprek in het park gevoerd. Afgesproken: de vereniging "
                "levert een begroting per post aan en een plan voor het zware "
                "snoeiwerk.",
            ),
            move(298, "09:30", "reviewer", S.ASSESSMENT),
            addition(
                296,
                "20:15",
                "neighbour",
                "De begroting per post en de offerte van het hoveniersbedrijf voor "
                "het zware werk staan nu bij de stukken.",
            ),
            assess(
                292,
                "13:30",
                "reviewer",
                (SV, 5, "Werkploegen verbinden buren; pluktuin en les voor de basisschool."),
                (QF, 4, "Vereniging met ervaring; zwaar werk gaat naar een erkend bedrijf."),
                (COST, 4, "13% lager dan het huidige bestek."),
                (SUP, 5, "312 handtekeningen en steun van school, wijkagent en parkgebruikers."),
                (CONT, 4, "Vaste ploegen met reservelijst; gemeente houdt de bomen in beheer."),
                (LEGAL, 4, "Het bestek loopt af; overdracht past binnen de aanbestedingsregels."),
            ),
            move(280, "15:10", "reviewer", S.DECISION),
            move(
                262,
                "16:30",
                "reviewer",
                S.ACCEPTED,
                "Het college neemt de uitdaging over. De vereniging biedt aantoonbaar "
                "meer maatschappelijke meerwaarde tegen lagere kosten en heeft breed "
                "draagvlak in De Horsten.",
            ),
            move(258, "09:00", "reviewer", S.AGREEMENT),
            note(
                240,
                "11:40",
                "reviewer",
                "Juridische toets: geen aanbestedingsplicht, de bomen blijven in "
                "gemeentelijk beheer. Aansprakelijkheid loopt via de "
                "vrijwilligersverzekering van de gemeente.",
                V.INTERNAL,
            ),
            move(
                190,
                "10:30",
                "reviewer",
                S.EXECUTION,
                "De overeenkomst is getekend door beide contactpersonen. De vereniging "
                "voert het onderhoud uit vanaf 1 mei.",
            ),
            addition(
                150,
                "19:40",
                "resident",
                "Eerste maand: vier vaste werkploegen, 38 vrijwilligers. De "
                "bloemenweide is ingezaaid.",
                V.PUBLIC,
            ),
            addition(
                95,
                "20:25",
                "neighbour",
                "Kwartaalcijfers staan bij de stukken. We zitten 4% onder de "
                "begroting door minder uitbesteed snoeiwerk.",
                V.PARTIES,
            ),
            note(
                60,
                "10:15",
                "reviewer",
                "Schouw door team Groen: het park ligt er schoner bij dan vorig jaar; "
                "aandachtspunt is de vijverrand aan de noordkant.",
                V.PUBLIC,
            ),
            addition(
                40,
                "19:55",
                "resident",
                "De vijverrand aan de noordkant is hersteld. Op de oogstdag kwamen "
                "ruim 200 buurtbewoners naar de pluktuin.",
                V.PUBLIC,
            ),
        ],
    ),
    # --- rejected: fails on the rules and on cost ------------------------------------
    Scenario(
        initiator="stalling",
        task="Exploitatie fietsenstalling Stationsplein",
        neighbourhood="Molenkwartier",
        title="Stallingspunt: bewaakte stalling met reparatiewerkplaats",
        summary="Een fietsenmaker wil de stalling aan het Stationsplein exploiteren en "
        "er een reparatiewerkplaats met leerlingplaatsen aan toevoegen.",
        approach="Toezicht door eigen personeel, een werkplaats in de stalling en een "
        "abonnement voor snelle reparaties terwijl de reiziger weg is.",
        social_value="Vier leerlingplaatsen voor jongeren uit het mbo en snellere "
        "reparaties voor forenzen.",
        budget="171000.00",
        legal_form=LegalForm.COMPANY,
        team="Stallingspunt BV, drie fietsenwinkels in de regio, 25 medewerkers.",
        support="De reizigersvereniging en 60 forenzen ondertekenden een steunverklaring.",
        steps=[
            create(190, "11:00"),
            plan(187, "15:30"),
            move(160, "09:45", "stalling", S.SUBMITTED),
            move(153, "10:30", "reviewer", S.INTAKE),
            move(140, "14:00", "reviewer", S.ASSESSMENT),
            assess(
                133,
                "10:15",
                "reviewer",
                (
                    SV,
                    3,
                    "Leerlingplaatsen zijn waardevol, maar de meerwaarde voor de wijk is beperkt.",
                ),
                (QF, 4, "Ervaren ondernemer met personeel."),
                (COST, 2, "10% duurder dan de huidige kosten."),
                (SUP, 2, "Weinig steun uit het Molenkwartier zelf."),
                (CONT, 4, "Stabiel bedrijf met meerdere vestigingen."),
                (
                    LEGAL,
                    1,
                    "De opdracht valt onder een lopende Europese aanbesteding "
                    "samen met de stallingen van de regio.",
                ),
            ),
            move(125, "15:20", "reviewer", S.DECISION),
            move(
                104,
                "16:15",
                "reviewer",
                S.REJECTED,
                "Het college wijst de uitdaging af. De exploitatie van de stalling is "
                "onderdeel van een regionale Europese aanbesteding die tot 2028 loopt; "
                "de gemeente kan deze taak niet los overdragen. Daarnaast is het "
                "gevraagde budget hoger dan de huidige kosten. De werkplaats kan wel "
                "als huurder in de stalling; daarover gaan we graag in gesprek.",
            ),
        ],
    ),
    # --- accepted: decided late, now waiting for the agreement ----------------------
    Scenario(
        initiator="kerkebuurt",
        task="Schoonhouden van straten en pleinen",
        neighbourhood="Kerkebuurt",
        title="Schone Kerkebuurt",
        summary="Een groep bewoners houdt de Kerkebuurt schoon met vaste "
        "zwerfafvalrondes en adopteert de afvalbakken rond het Kerkplein.",
        approach="Dertig bewoners lopen in roosters vaste rondes, drie keer per week. "
        "De gemeente levert grijpers, hesjes en afvalzakken en haalt de volle zakken op "
        "vaste punten op. Meldingen van dumpingen gaan via de app van de gemeente.",
        social_value="Een schonere buurt, meer contact tussen buren en samenwerking met "
        "de basisschool: elke maand een opruimochtend met een klas.",
        budget="61000.00",
        legal_form=LegalForm.INFORMAL_GROUP,
        team="Bewonersgroep Schone Kerkebuurt, 30 vaste lopers. Wim Bakker is de "
        "contactpersoon en organiseert al drie jaar de landelijke opschoondag in de "
        "buurt.",
        support="Steun van de winkeliersvereniging Kerkplein, de basisschool en 156 bewoners.",
        steps=[
            create(130, "19:30"),
            plan(126, "20:45"),
            move(80, "20:10", "kerkebuurt", S.SUBMITTED),
            move(74, "09:30", "reviewer", S.INTAKE),
            move(
                62,
                "10:45",
                "reviewer",
                S.ASSESSMENT,
                "Ontvankelijk; verkennend gesprek gevoerd op het Kerkplein.",
            ),
            assess(
                55,
                "14:00",
                "reviewer",
                (SV, 4, "Schonere buurt en een vaste band met de basisschool."),
                (QF, 3, "Goed georganiseerd; rondes moeten ook in de vakanties doorgaan."),
                (COST, 5, "Een derde lager dan de huidige kosten."),
                (SUP, 4, "Winkeliers, school en 156 bewoners steunen het plan."),
                (
                    CONT,
                    3,
                    "Informele groep; een stichting of vereniging wordt "
                    "aangeraden voor de overeenkomst.",
                ),
                (LEGAL, 4, "Aanvullend op het veegcontract; geen aanbestedingsbezwaar."),
            ),
            move(45, "15:30", "reviewer", S.DECISION),
            move(
                9,
                "16:00",
                "reviewer",
                S.ACCEPTED,
                "Het college neemt de uitdaging over: veel meerwaarde tegen lage "
                "kosten. Excuses voor het late besluit; het voorstel moest wachten op "
                "de begrotingsbehandeling.",
            ),
            addition(
                5,
                "20:30",
                "kerkebuurt",
                "Dank voor het besluit! We richten nu een vereniging op, zodat we "
                "de overeenkomst kunnen tekenen.",
                V.PUBLIC,
            ),
        ],
    ),
    # --- decision: past its target, the executive has not decided (overdue) ---------
    Scenario(
        initiator="speeltuin",
        task="Beheer en onderhoud speeltuinen",
        neighbourhood="Vogelwijk",
        title="Speeltuinvereniging De Kikker beheert de speeltuinen in de Vogelwijk",
        summary="De speeltuinvereniging neemt het beheer van de drie openbare "
        "speeltuinen in de Vogelwijk over, inclusief inspecties en klein onderhoud.",
        approach="Twee gecertificeerde vrijwilligers doen de maandelijkse inspectie; "
        "de jaarlijkse hoofdinspectie besteden we uit. Klein onderhoud en "
        "zandverversing doen we met ouders op klusochtenden.",
        social_value="Ouders raken betrokken bij hun speeltuin, er komen "
        "speelmiddagen met een speelbegeleider en defecten worden sneller hersteld.",
        budget="64000.00",
        legal_form=LegalForm.ASSOCIATION,
        team="Speeltuinvereniging De Kikker beheert al 40 jaar een eigen, omheinde "
        "speeltuin. Priya Ramdin (voorzitter) is de contactpersoon.",
        support="128 gezinnen uit de Vogelwijk en beide basisscholen steunen het plan.",
        steps=[
            create(95, "20:00"),
            plan(90, "21:10"),
            move(82, "19:45", "speeltuin", S.SUBMITTED),
            move(76, "10:10", "reviewer", S.INTAKE),
            move(64, "11:30", "reviewer", S.ASSESSMENT),
            assess(
                57,
                "09:45",
                "reviewer",
                (SV, 4, "Meer betrokkenheid van ouders en speelbegeleiding."),
                (QF, 4, "Ervaren vereniging; inspecties door gecertificeerde vrijwilligers."),
                (COST, 3, "12% lager dan nu, maar met een beperkte reserve."),
                (SUP, 4, "Steun van 128 gezinnen en beide scholen."),
                (CONT, 3, "Vrijwilligers inspecteren; de hoofdinspectie blijft professioneel."),
                (
                    LEGAL,
                    4,
                    "Past binnen de regels; Warenwetverplichtingen gaan over op de vereniging.",
                ),
            ),
            move(50, "14:30", "reviewer", S.DECISION),
            note(
                20,
                "09:15",
                "reviewer",
                "Het collegevoorstel ligt nog bij de portefeuillehouder; het besluit "
                "wordt verwacht in de collegevergadering van over drie weken.",
                V.INTERNAL,
            ),
            addition(
                8,
                "20:50",
                "speeltuin",
                "Het besluit had er volgens de termijn al moeten zijn. Wanneer kunnen "
                "we het verwachten?",
            ),
            note(
                7,
                "10:20",
                "reviewer",
                "Excuses voor de vertraging: het voorstel staat op de agenda van het "
                "college van over twee weken.",
            ),
        ],
    ),
    # --- assessment: half the criteria scored -------------------------------------
    Scenario(
        initiator="hetzand",
        task="Boodschappen- en klusdienst voor ouderen",
        neighbourhood="Het Zand",
        title="Buurtcoöperatie Het Zand: boodschappen en klussen voor ouderen",
        summary="Een buurtcoöperatie koppelt ouderen die hulp nodig hebben aan buren "
        "die boodschappen doen en kleine klussen in huis oppakken.",
        approach="Een wijkpunt in de bibliotheek neemt aanvragen aan, telefonisch en "
        "aan de balie. Een coördinator koppelt vaste buren aan vaste ouderen. Klussers "
        "werken met een klussenbus met gereedschap.",
        social_value="Ouderen blijven langer zelfstandig wonen en hebben vaker contact "
        "met buren; eenzaamheid wordt eerder gesignaleerd.",
        budget="104000.00",
        legal_form=LegalForm.COOPERATIVE,
        team="Buurtcoöperatie Het Zand U.A., 230 leden. Sevda Kaya (coördinator, "
        "wijkverpleegkundige) is de contactpersoon.",
        support="De ouderenbond, de huisartsenpraktijk en 190 bewoners steunen het plan.",
        steps=[
            create(70, "20:30"),
            plan(66, "21:00"),
            move(60, "19:30", "hetzand", S.SUBMITTED),
            move(53, "09:45", "reviewer", S.INTAKE),
            note(
                47,
                "15:45",
                "reviewer",
                "Verkennend gesprek gevoerd in het wijkpunt. De coöperatie levert nog "
                "een overzicht aan van de VOG's van de vrijwilligers.",
            ),
            addition(
                40,
                "20:10",
                "hetzand",
                "Alle 42 vrijwilligers hebben een VOG; het overzicht staat bij de stukken.",
            ),
            move(18, "10:00", "reviewer", S.ASSESSMENT),
            assess(
                12,
                "11:15",
                "reviewer",
                (SV, 5, "Ouderen blijven langer thuis wonen, met meer contact in de buurt."),
                (QF, 4, "Vaste koppels en een bereikbaar wijkpunt."),
            ),
            assess(
                6,
                "14:40",
                "coordinator",
                (SUP, 5, "Ouderenbond, huisartsen en 190 bewoners steunen het plan."),
            ),
        ],
    ),
    # --- on hold from assessment ---------------------------------------------------
    Scenario(
        initiator="resident",
        task="Groenonderhoud rotondes",
        neighbourhood="De Horsten",
        title="Bloemrijke rotondes in De Horsten",
        summary="De Vrienden van De Horsten willen ook de vier rotondes in de wijk "
        "onderhouden en er bloemrijke, bijvriendelijke beplanting van maken.",
        approach="Dezelfde werkploegen die het park onderhouden nemen de rotondes mee "
        "in hun route. Beplanting blijft laag, zodat het zicht voor verkeer vrij blijft.",
        social_value="Een groene entree van de wijk, meer bijen en vlinders, en werk "
        "voor de jongeren die nu in het park maaien.",
        budget="9800.00",
        legal_form=LegalForm.ASSOCIATION,
        team="Vereniging Vrienden van De Horsten, met de ervaring uit het parkonderhoud.",
        support="Steun uit de wijk (312 handtekeningen voor het park) en van imkers "
        "vereniging De Honingraat.",
        steps=[
            create(150, "20:20"),
            plan(144, "21:30"),
            move(142, "20:00", "resident", S.SUBMITTED),
            move(135, "10:15", "reviewer", S.INTAKE),
            move(120, "11:00", "reviewer", S.ASSESSMENT),
            assess(
                112,
                "14:20",
                "reviewer",
                (SV, 4, "Mooie aansluiting op het park en goed voor biodiversiteit."),
                (SUP, 4, "Breed gedragen in de wijk."),
            ),
            move(
                95,
                "09:30",
                "coordinator",
                S.ON_HOLD,
                "Twee van de vier rotondes worden volgend jaar door de provincie "
                "heringericht. We wachten op het definitieve ontwerp voordat we verder "
                "beoordelen.",
            ),
            addition(60, "20:05", "resident", "Is er al nieuws over het ontwerp van de provincie?"),
            note(
                58,
                "10:45",
                "reviewer",
                "Nog niet: de provincie verwacht het definitieve ontwerp in het eerste "
                "kwartaal. We melden ons zodra het er is.",
            ),
        ],
    ),
    # --- intake: past its target (overdue) ------------------------------------------
    Scenario(
        initiator="wielewaal",
        task="Exploitatie kinderboerderij De Wielewaal",
        neighbourhood="Het Zand",
        title="Kinderboerderij De Wielewaal als leer-werkplek",
        summary="Een zorgboerderij wil kinderboerderij De Wielewaal exploiteren met "
        "deelnemers van de dagbesteding als dierverzorgers.",
        approach="Deelnemers van de dagbesteding verzorgen onder begeleiding de dieren. "
        "Een vrijwilligersgroep houdt de boerderij in het weekend open; scholen blijven "
        "welkom voor lessen.",
        social_value="Zinvolle dagbesteding voor twaalf deelnemers, langere "
        "openingstijden en meer educatie voor scholen in Het Zand.",
        budget="109000.00",
        legal_form=LegalForm.FOUNDATION,
        team="Stichting Zorgboerderij De Eik, al tien jaar actief met dagbesteding op "
        "de boerderij. Els de Boer (directeur) is de contactpersoon.",
        support="Drie basisscholen, de vrienden van De Wielewaal en 240 bezoekers "
        "tekenden de steunverklaring.",
        steps=[
            create(60, "13:00"),
            plan(55, "16:20"),
            move(50, "10:30", "wielewaal", S.SUBMITTED),
            move(36, "09:15", "reviewer", S.INTAKE),
            note(
                30,
                "14:00",
                "reviewer",
                "Het verkennende gesprek is verzet, omdat de dierenarts van de "
                "gemeente erbij moet zijn. Nieuwe datum volgt.",
            ),
            addition(
                20,
                "11:30",
                "wielewaal",
                "Wij kunnen elke ochtend in de komende twee weken.",
                V.PUBLIC,
            ),
        ],
    ),
    # --- submitted, recently -------------------------------------------------------
    Scenario(
        initiator="neighbour",
        task="Schoonhouden van straten en pleinen",
        neighbourhood="Oosterpark",
        title="Zwerfafvalbrigade Oosterpark",
        summary="Bewoners van het Oosterpark houden de straten rond het Oosterplein en "
        "het winkelcentrum schoon, naar het voorbeeld van Schone Kerkebuurt.",
        approach="Vaste lopers in roosters, twee keer per week, met materiaal van de "
        "gemeente. De winkeliers legen zelf de bakken voor hun deur.",
        social_value="Een schoner winkelgebied en contact tussen bewoners en winkeliers.",
        budget="28000.00",
        legal_form=LegalForm.INFORMAL_GROUP,
        team="Vijftien bewoners rond het Oosterplein; Joke van Dijk is de contactpersoon.",
        support="Winkeliersvereniging Oosterplein en 74 bewoners.",
        steps=[
            create(16, "20:15"),
            plan(8, "21:20"),
            move(4, "20:05", "neighbour", S.SUBMITTED),
        ],
    ),
    # --- draft: complete and ready to submit, an invitation still open --------------
    Scenario(
        initiator="resident",
        task="Beheer en onderhoud speeltuinen",
        neighbourhood="De Horsten",
        title="Speeltuin De Horsten: door en voor de buurt",
        summary="Ouders uit De Horsten nemen het beheer van de speeltuin aan de "
        "Horstenlaan over en maken er een natuurspeelplek van.",
        approach="Ouders doen het klein onderhoud en de maandelijkse inspectie na een "
        "cursus; de hoofdinspectie blijft bij een gecertificeerd bureau. We vervangen "
        "versleten toestellen door natuurlijk speelmateriaal.",
        social_value="Een uitdagende speelplek dicht bij huis, en ouders die elkaar "
        "leren kennen op de klusdagen.",
        budget="11500.00",
        legal_form=LegalForm.ASSOCIATION,
        team="Vereniging Vrienden van De Horsten, met een werkgroep van acht ouders.",
        support="We verzamelen nu handtekeningen; 64 ouders hebben al getekend.",
        steps=[
            create(12, "20:30"),
            plan(3, "21:10"),
            invite(2, "21:30", "resident", "buurman@example.org"),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Partnerships: organisations, contact persons, agreements, milestones,
# reflections, knots, messages and documents, per scenario (by title). They are
# merged into the scenario's steps by date; the transition table needs both
# contact persons before the assessment and an agreement in force before execution.
# ---------------------------------------------------------------------------

MANDATE_MUNICIPALITY = (
    "Beslist zelfstandig over planning, afstemming met de vakafdelingen en uitgaven tot "
    "5.000 euro per keer. Grotere bedragen en wijzigingen van de overeenkomst legt zij "
    "binnen twee weken voor aan de teamleider."
)
MANDATE_CHALLENGER = (
    "Beslist namens het bestuur over de dagelijkse uitvoering, de inzet van vrijwilligers "
    "en uitgaven binnen de begroting. Wijzigingen van de overeenkomst tekent het bestuur."
)
SCORE_KEYS = ("right_things", "doing_right", "together")


def organisation(d, t, actor, name, legal_form, kvk="", role="chair"):
    return Step(
        d,
        t,
        "organisation",
        actor=actor,
        extra={"name": name, "legal_form": legal_form, "kvk": kvk, "role": role},
    )


def contacts(d, t, municipality="reviewer", challenger=None, *, only_municipality=False):
    return Step(
        d,
        t,
        "contacts",
        actor=municipality,
        extra={"challenger": challenger, "only_municipality": only_municipality},
    )


def handover(d, t, actor, side, to, reason, mandate=MANDATE_MUNICIPALITY):
    return Step(
        d,
        t,
        "handover",
        actor=actor,
        text=reason,
        extra={"side": side, "to": to, "mandate": mandate},
    )


def agreement(d, t, actor, **changes):
    """Draft and propose the next version; `changes` override the first version's content."""
    return Step(d, t, "agreement", actor=actor, extra=changes)


def sign(d, t, actor):
    return Step(d, t, "sign", actor=actor)


def milestone(d, t, actor, key, title, side, due_in_days, public=False):
    return Step(
        d,
        t,
        "milestone",
        actor=actor,
        text=title,
        extra={"key": key, "side": side, "due_in_days": due_in_days, "public": public},
    )


def milestone_status(d, t, actor, key, status, note=""):
    return Step(d, t, "milestone_status", actor=actor, text=note, extra={"key": key, "to": status})


def reflect(d, t, actor, reason):
    return Step(d, t, "reflect", actor=actor, text=reason)


def answer(d, t, actor, scores, *comments):
    return Step(
        d,
        t,
        "answer",
        actor=actor,
        extra={"scores": dict(zip(SCORE_KEYS, scores, strict=True)), "comments": comments},
    )


def knot(d, t, actor, key, question, decision_needed, needed_in_days):
    return Step(
        d,
        t,
        "knot",
        actor=actor,
        text=question,
        extra={"key": key, "decision_needed": decision_needed, "needed_in_days": needed_in_days},
    )


def cut(d, t, actor, key, decision):
    return Step(d, t, "cut", actor=actor, text=decision, extra={"key": key})


def message(d, t, actor, text):
    return Step(d, t, "message", actor=actor, text=text)


def document(d, t, actor, name, description):
    return Step(d, t, "document", actor=actor, text=description, extra={"name": name})


PARTNERSHIP_ACTIONS = {
    "organisation",
    "contacts",
    "handover",
    "agreement",
    "sign",
    "milestone",
    "milestone_status",
    "reflect",
    "answer",
    "knot",
    "cut",
    "message",
    "document",
}

PARTNERSHIP_STEPS: dict[str, list[Step]] = {
    # --- completed: two versions of the agreement, a full pilot year ---------------
    "Groen Werkt: rotondes als leerwerkplek": [
        organisation(
            407, "20:00", "groenwerkt", "Groen Werkt BV", LegalForm.COMPANY, "68750112", "director"
        ),
        contacts(404, "09:30", challenger="groenwerkt"),
        agreement(341, "10:00", "reviewer"),
        sign(340, "09:00", "reviewer"),
        document(
            339, "14:00", "groenwerkt", "Werkplanning seizoen 1.pdf", "Onze planning per rotonde."
        ),
        message(
            332,
            "16:00",
            "groenwerkt",
            "Voordat we tekenen: kunnen we een vervangingsregeling opnemen voor als onze "
            "hovenier langer uitvalt?",
        ),
        message(331, "09:10", "reviewer", "Goed punt. Ik neem het op in artikel 4 van versie 2."),
        agreement(
            326,
            "11:00",
            "reviewer",
            tasks_municipality="De gemeente levert zaaigoed en voert het groenafval af. Bij "
            "uitval van de hovenier langer dan twee weken springt de gemeentelijke aannemer in.",
            change_note="Vervangingsregeling bij langdurige uitval van de hovenier toegevoegd, "
            "op verzoek van Groen Werkt.",
        ),
        sign(325, "20:00", "groenwerkt"),
        sign(324, "09:30", "reviewer"),
        milestone(
            319, "10:00", "groenwerkt", "sown", "Alle rotondes ingezaaid", "challenger", 60, True
        ),
        milestone(
            319,
            "10:05",
            "groenwerkt",
            "certified",
            "Twee deelnemers gecertificeerd",
            "challenger",
            120,
            True,
        ),
        milestone(
            319, "10:10", "reviewer", "inspection", "Tussentijdse schouw", "municipality", 140, True
        ),
        milestone(319, "10:15", "reviewer", "report", "Evaluatierapport", "municipality", 275),
        knot(
            262,
            "15:00",
            "groenwerkt",
            "bulbs",
            "Mogen we inheemse bloembollen planten in de middenberm van de Molenweg?",
            "Toestemming van team Verkeer: de middenberm valt buiten de rotondes.",
            14,
        ),
        cut(257, "10:00", "reviewer", "bulbs", "Ja, mits de beplanting lager blijft dan 40 cm."),
        milestone_status(250, "17:15", "groenwerkt", "sown", "done"),
        milestone_status(250, "17:20", "groenwerkt", "certified", "done"),
        reflect(200, "09:00", "reviewer", "Halverwege de pilot: hoe gaat het?"),
        answer(
            198,
            "20:00",
            "groenwerkt",
            (5, 4, 4),
            "De deelnemers groeien zichtbaar.",
            "De maaimomenten botsen soms met die van team Groen.",
            "Korte lijnen met Sanne.",
        ),
        answer(
            196,
            "10:00",
            "reviewer",
            (5, 4, 3),
            "Mooie resultaten voor de deelnemers.",
            "Beeldkwaliteit op orde.",
            "De afstemming over planningen kan beter.",
        ),
        milestone_status(180, "11:00", "reviewer", "inspection", "done"),
        reflect(44, "09:00", "reviewer", "Evaluatie van het pilotjaar."),
        answer(
            40,
            "19:00",
            "groenwerkt",
            (5, 5, 4),
            "Drie deelnemers hebben nu een betaalde baan.",
            "Alle rotondes halen beeldkwaliteit B.",
            "De gedeelde planning werkt.",
        ),
        answer(
            38,
            "10:00",
            "reviewer",
            (5, 4, 5),
            "Meer dan we hoopten.",
            "Eén keer te laat gemaaid in het voorjaar.",
            "Een echt partnerschap geworden.",
        ),
        milestone_status(30, "16:00", "reviewer", "report", "done"),
    ],
    # --- evaluation: a handover of the municipality's contact person -----------------
    "Buurtbus Oost: vervoer naar dagbesteding met buurtchauffeurs": [
        organisation(
            366,
            "20:00",
            "buurtbus",
            "Coöperatie Buurtbus Oost U.A.",
            LegalForm.COOPERATIVE,
            "73021548",
        ),
        contacts(362, "10:00", challenger="buurtbus"),
        agreement(280, "10:00", "reviewer", budget_amount="342000.00"),
        document(
            278, "20:00", "buurtbus", "Rijschema en reservepool.pdf", "Vaste koppels per route."
        ),
        sign(276, "19:30", "buurtbus"),
        sign(275, "09:00", "reviewer"),
        milestone(
            239, "10:00", "buurtbus", "rides", "Eerste ritten gereden", "challenger", 7, True
        ),
        milestone(
            239, "10:05", "buurtbus", "drivers", "Vier nieuwe chauffeurs", "challenger", 180, True
        ),
        milestone(
            239,
            "10:10",
            "reviewer",
            "evaluation",
            "Evaluatie met de cliëntenraad",
            "municipality",
            230,
        ),
        milestone_status(233, "18:00", "buurtbus", "rides", "done"),
        knot(
            151,
            "16:00",
            "reviewer",
            "insurance",
            "Wie rijdt er zolang de verzekering van de chauffeurs niet rond is?",
            "Een besluit over vervangend vervoer tot de nieuwe polis er is.",
            3,
        ),
        cut(
            150,
            "08:40",
            "reviewer",
            "insurance",
            "De regionale vervoerder rijdt tot de nieuwe polis er is.",
        ),
        handover(
            145,
            "10:00",
            "reviewer",
            "municipality",
            "coordinator",
            "Sanne Jansen gaat met verlof; Ruud Hendriks neemt het contact over tot na de "
            "evaluatie.",
        ),
        message(
            144,
            "11:00",
            "coordinator",
            "Ik ben vanaf nu jullie vaste contactpersoon. Zullen we volgende week samen de "
            "nieuwe polis doornemen?",
        ),
        message(143, "19:00", "buurtbus", "Graag, dinsdagochtend in het buurthuis?"),
        reflect(
            100, "09:00", "buurtbus", "Na het herstel van de verzekering: hoe staan we ervoor?"
        ),
        answer(
            98,
            "20:00",
            "buurtbus",
            (5, 3, 4),
            "Deelnemers zijn rustiger met vaste chauffeurs.",
            "De verzekering hadden we zelf eerder moeten zien aankomen.",
            "Snel geschakeld tijdens de pauze.",
        ),
        answer(
            96,
            "10:00",
            "coordinator",
            (5, 4, 4),
            "De cliëntenraad is tevreden.",
            "Punctualiteit is uitstekend.",
            "Open over de fout met de polis.",
        ),
        milestone_status(70, "19:45", "buurtbus", "drivers", "done"),
        reflect(11, "09:00", "coordinator", "Evaluatie na het eerste jaar."),
        milestone_status(9, "11:00", "coordinator", "evaluation", "in_progress"),
        answer(
            8,
            "20:30",
            "buurtbus",
            (5, 4, 5),
            "Alle ritten gereden, op tijd.",
            "Reservepool groot genoeg.",
            "Goede samenwerking met Ruud.",
        ),
    ],
    # --- agreement: version 1 signed by one side, an open knot past its date --------
    "Buurthuis De Schakel van en voor de buurt": [
        organisation(
            192,
            "21:00",
            "neighbour",
            "Stichting De Schakel Van Ons",
            LegalForm.FOUNDATION,
            "91234507",
        ),
        contacts(178, "10:00", challenger="neighbour"),
        milestone(
            100, "11:00", "reviewer", "keys", "Overdracht sleutelbeheer", "municipality", 120
        ),
        milestone(
            100, "11:05", "neighbour", "youth", "Programma jongerenavond", "challenger", 150, True
        ),
        agreement(95, "10:00", "reviewer", budget_amount="176000.00"),
        sign(94, "09:00", "reviewer"),
        document(
            88,
            "21:00",
            "neighbour",
            "Meerjarenbegroting 2026-2029.pdf",
            "Met en zonder jongerenavond.",
        ),
        message(
            82,
            "20:00",
            "neighbour",
            "Zie de meerjarenbegroting: met de huur uit versie 1 moeten we de jongerenavond "
            "schrappen.",
        ),
        message(79, "10:00", "reviewer", "Begrepen. Ik vraag Juridische Zaken om een advies."),
        knot(
            20,
            "21:00",
            "neighbour",
            "rent",
            "Mag de stichting de zalen onder de marktprijs verhuren?",
            "Een besluit over de huurprijs van het gebouw, na het advies over staatssteun.",
            15,
        ),
    ],
    # --- execution: a change during execution (version 2), public milestones ---------
    "Vrienden van De Horsten onderhouden hun park": [
        organisation(
            316,
            "20:00",
            "resident",
            "Vereniging Vrienden van De Horsten",
            LegalForm.ASSOCIATION,
            "80123456",
        ),
        contacts(308, "11:00", challenger="resident"),
        agreement(235, "20:00", "resident"),
        document(
            236,
            "20:30",
            "neighbour",
            "Begroting per post.pdf",
            "Met de offerte voor het zware snoeiwerk.",
        ),
        sign(230, "10:00", "reviewer"),
        sign(229, "20:00", "resident"),
        milestone(
            189, "10:00", "resident", "teams", "Vaste werkploegen gestart", "challenger", 30, True
        ),
        milestone(
            189, "10:05", "resident", "meadow", "Bloemenweide ingezaaid", "challenger", 45, True
        ),
        milestone(
            189,
            "10:10",
            "resident",
            "pond",
            "Vijverrand noordkant hersteld",
            "challenger",
            150,
            True,
        ),
        milestone(
            189,
            "10:15",
            "resident",
            "orchard",
            "Pluktuin met lessen voor de basisschool",
            "challenger",
            180,
            True,
        ),
        milestone(
            189, "10:20", "reviewer", "trees", "Snoeiplan voor de bomen", "municipality", 160
        ),
        message(
            149, "20:00", "resident", "De eerste maand zit erop. Komen jullie een keer kijken?"
        ),
        message(148, "09:00", "reviewer", "Graag! Ik kom donderdag met team Groen langs."),
        milestone_status(150, "19:50", "resident", "teams", "done"),
        milestone_status(150, "19:55", "resident", "meadow", "done"),
        reflect(130, "09:00", "reviewer", "Eerste evaluatiemoment uit de overeenkomst."),
        answer(
            128,
            "20:00",
            "resident",
            (4, 3, 4),
            "Het park is schoner en de buurt doet mee.",
            "Het zware snoeiwerk loopt achter.",
            "We worden serieus genomen.",
        ),
        answer(
            127,
            "10:00",
            "reviewer",
            (5, 3, 3),
            "Meer ontmoeting in het park dan verwacht.",
            "Snoeiwerk en vijverrand vragen aandacht.",
            "Meldingen kwamen soms via drie kanalen.",
        ),
        agreement(
            100,
            "20:00",
            "resident",
            budget_amount="124000.00",
            payment_schedule="Per kwartaal vooraf; het vierde kwartaal na de jaarrapportage.",
            change_note="Minder uitbesteed snoeiwerk: het budget gaat omlaag van 129.000 naar "
            "124.000 euro per jaar.",
        ),
        sign(97, "10:00", "reviewer"),
        sign(96, "20:00", "resident"),
        message(94, "20:30", "neighbour", "De kwartaalcijfers staan nu ook bij de documenten."),
        document(94, "20:40", "neighbour", "Kwartaalcijfers Q2.pdf", "4% onder de begroting."),
        knot(
            72,
            "20:00",
            "resident",
            "pond",
            "Mogen we de vijverrand aan de noordkant zelf herstellen?",
            "Toestemming van team Water, dat de oever beheert.",
            14,
        ),
        cut(
            62,
            "11:00",
            "reviewer",
            "pond",
            "Ja, onder begeleiding van team Water, met hun materiaal.",
        ),
        milestone_status(
            60, "10:30", "reviewer", "pond", "at_risk", "De vijverrand brokkelt verder af."
        ),
        milestone_status(40, "20:00", "resident", "pond", "done"),
        milestone_status(40, "20:05", "resident", "orchard", "in_progress"),
        reflect(35, "20:00", "resident", "Na de oogstdag: willen we iets anders doen?"),
        answer(
            34,
            "20:00",
            "neighbour",
            (5, 4, 5),
            "Ruim 200 buren op de oogstdag.",
            "Vijverrand klaar, snoeiwerk bijna.",
            "Eén contactpersoon maakt het makkelijk.",
        ),
        answer(
            33,
            "10:00",
            "reviewer",
            (5, 4, 4),
            "Het park leeft.",
            "Het snoeiplan van de gemeente ligt achter.",
            "Goed overleg, ook als het schuurt.",
        ),
        milestone_status(20, "10:00", "reviewer", "trees", "at_risk", "Capaciteit bij team Groen."),
    ],
    # --- contact persons before the assessment, in the other stages -------------------
    "Stallingspunt: bewaakte stalling met reparatiewerkplaats": [
        contacts(148, "10:00", challenger="stalling"),
    ],
    "Schone Kerkebuurt": [
        organisation(
            73, "20:00", "kerkebuurt", "Bewonersgroep Schone Kerkebuurt", LegalForm.INFORMAL_GROUP
        ),
        contacts(70, "10:00", challenger="kerkebuurt"),
    ],
    "Speeltuinvereniging De Kikker beheert de speeltuinen in de Vogelwijk": [
        contacts(72, "10:00", challenger="speeltuin"),
    ],
    "Buurtcoöperatie Het Zand: boodschappen en klussen voor ouderen": [
        contacts(46, "10:00", challenger="hetzand"),
    ],
    "Bloemrijke rotondes in De Horsten": [
        contacts(130, "10:00", challenger="resident"),
    ],
    # --- intake: only the municipality has named its contact person so far ------------
    "Kinderboerderij De Wielewaal als leer-werkplek": [
        contacts(33, "11:00", only_municipality=True),
    ],
}


def _minimal_pdf(title: str) -> bytes:
    """A small, valid one-page PDF with a title line, for the demo documents."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _agreement_content(scenario: Scenario, task, start: date, changes: dict) -> dict:
    content = {
        "scope": scenario.summary,
        "tasks_challenger": scenario.approach,
        "tasks_municipality": "De gemeente levert materiaal, voert afval af en houdt het "
        "toezicht dat de wet van haar vraagt.",
        "budget_amount": Decimal(scenario.budget),
        "payment_schedule": "Per kwartaal vooraf, na goedkeuring van de kwartaalrapportage.",
        "budget_from_current_cost": min(Decimal(scenario.budget), task.current_yearly_cost),
        "start_date": start,
        "end_date": start + timedelta(days=364),
        "results": scenario.social_value,
        "evaluation_dates": [start + timedelta(days=182), start + timedelta(days=350)],
        "reporting_rhythm": "quarterly",
        "termination_terms": "Beide partijen kunnen de overeenkomst schriftelijk opzeggen met "
        "een opzegtermijn van drie maanden. Bij ernstige tekortkomingen eerst een "
        "hersteltermijn van vier weken.",
    }
    for key, value in changes.items():
        content[key] = Decimal(value) if key.startswith("budget") else value
    return content


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


@contextmanager
def _clock(at: datetime):
    """Make every `timezone.now()` inside (services, model defaults) return `at`."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


class Command(BaseCommand):
    help = (
        "Fill the database with demo data: catalogue, demo accounts and challenges in "
        "every stage. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with the production settings (the demo passwords are public).",
        )

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords and refuses to run "
                "with the production settings. Use --allow-production for a demo server."
            )
        self.now = timezone.now()
        self.criteria = {c.name_en: c for c in Criterion.objects.filter(is_active=True)}
        outbox_before = len(getattr(mail, "outbox", []))
        saved = False
        # Notifications about demo events go to fictional people: keep them off the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            try:
                with transaction.atomic():
                    tasks, neighbourhoods = self._catalogue()
                    users, new_users = self._accounts()
                    new_challenges = self._challenges(users, tasks, neighbourhoods)
                    saved = True
            except Exception as exc:
                if not saved:
                    raise
                # Raised by a notification queued on commit, after the data was saved.
                self.stderr.write(
                    self.style.WARNING(
                        f"The demo data was saved, but sending its notifications failed: {exc!r}"
                    )
                )
            mails = len(getattr(mail, "outbox", [])) - outbox_before
        self._report(new_users, new_challenges, mails)

    # -- catalogue -------------------------------------------------------------------

    def _catalogue(self):
        neighbourhoods = {
            name: Neighbourhood.objects.get_or_create(name=name)[0] for name in NEIGHBOURHOODS
        }
        tasks = {}
        for name, department, cost, description in TASKS:
            tasks[name], _created = Task.objects.get_or_create(
                name=name,
                defaults={
                    "department": department,
                    "current_yearly_cost": Decimal(cost),
                    "description": description,
                },
            )
        return tasks, neighbourhoods

    # -- accounts --------------------------------------------------------------------

    def _accounts(self):
        User = get_user_model()
        users, created = {}, []
        for account in ACCOUNTS:
            user = User.objects.filter(email__iexact=account.email).first()
            if user is None:
                joined = self._at(account.joined_days_ago, "09:00")
                fields = {
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "display_name": account.display_name,
                    "language": "nl",
                    "is_staff": account.is_staff,
                    "date_joined": joined,
                }
                if account.is_superuser:
                    user = User.objects.create_superuser(
                        username=account.username,
                        email=account.email,
                        password=account.password,
                        **fields,
                    )
                else:
                    user = User.objects.create_user(
                        username=account.username,
                        email=account.email,
                        password=account.password,
                        **fields,
                    )
                created.append(account)
            for name in account.groups:
                try:
                    user.groups.add(Group.objects.get(name=name))
                except Group.DoesNotExist as exc:
                    raise CommandError(
                        f"Group {name!r} is missing; run `manage.py migrate` first."
                    ) from exc
            EmailAddress.objects.get_or_create(
                user=user, email=account.email, defaults={"verified": True, "primary": True}
            )
            users[account.key] = user
        return users, created

    # -- challenges ------------------------------------------------------------------

    def _at(self, days_ago: int, clock: str) -> datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        day = timezone.localdate(self.now) - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def _challenges(self, users, tasks, neighbourhoods) -> list[Scenario]:
        todo = [
            scenario
            for scenario in SCENARIOS
            if not Challenge.objects.filter(
                title=scenario.title, initiator=users[scenario.initiator]
            ).exists()
        ]
        # Every step of every new challenge, in date order across challenges.
        agenda: list[tuple[datetime, int, int, Callable[[], None]]] = []
        for number, scenario in enumerate(todo):
            state: dict = {}
            previous = None
            steps = sorted(
                scenario.steps + PARTNERSHIP_STEPS.get(scenario.title, []),
                key=lambda step: self._at(step.days_ago, step.clock),
            )
            for index, step in enumerate(steps):
                at = self._at(step.days_ago, step.clock)
                if at >= self.now or (previous and at <= previous):
                    raise CommandError(
                        f"Steps of {scenario.title!r} must be in the past and in order."
                    )
                previous = at
                agenda.append(
                    (
                        at,
                        number,
                        index,
                        self._runner(scenario, step, state, users, tasks, neighbourhoods),
                    )
                )
        agenda.sort(key=lambda item: item[:3])
        for at, _number, _index, run in agenda:
            with _clock(at):
                run()
        return todo

    def _runner(self, scenario, step, state, users, tasks, neighbourhoods):
        def run() -> None:
            actor = users.get(step.actor)
            if step.action == "create":
                initiator = users[scenario.initiator]
                state["challenge"] = challenge_create_draft(initiator=initiator)
                challenge_update_draft(
                    challenge=state["challenge"],
                    actor=initiator,
                    data={
                        "task": tasks[scenario.task],
                        "neighbourhood": neighbourhoods[scenario.neighbourhood],
                        "title": scenario.title,
                        "summary": scenario.summary,
                    },
                )
            elif step.action == "plan":
                challenge_update_draft(
                    challenge=state["challenge"],
                    actor=users[scenario.initiator],
                    data={
                        "approach": scenario.approach,
                        "social_value": scenario.social_value,
                        "budget_requested": Decimal(scenario.budget),
                        "legal_form": scenario.legal_form,
                        "team_description": scenario.team,
                        "support_evidence": scenario.support,
                    },
                )
            elif step.action == "invite":
                state.setdefault("invitations", {})[step.email] = invitation_create(
                    challenge=state["challenge"], actor=actor, email=step.email
                )
            elif step.action == "accept":
                invitation = Invitation.objects.get(
                    challenge=state["challenge"], email__iexact=actor.email
                )
                invitation_accept(invitation=invitation, user=actor)
            elif step.action == "move":
                challenge_transition(
                    challenge=state["challenge"],
                    to_status=step.to,
                    actor=actor,
                    motivation=step.text,
                )
            elif step.action == "addition":
                challenge_add_addition(
                    challenge=state["challenge"],
                    actor=actor,
                    text=step.text,
                    visibility=step.visibility,
                )
            elif step.action == "note":
                challenge_add_note(
                    challenge=state["challenge"],
                    actor=actor,
                    text=step.text,
                    visibility=step.visibility,
                )
            elif step.action == "assess":
                at = timezone.now()
                for offset, (name_en, score, motivation) in enumerate(step.scores):
                    criterion = self.criteria.get(name_en)
                    if criterion is None:
                        continue
                    # One criterion every few minutes, as a reviewer would.
                    with _clock(at + timedelta(minutes=6 * offset)):
                        assessment_record(
                            challenge=state["challenge"],
                            criterion=criterion,
                            actor=actor,
                            score=score,
                            motivation=motivation,
                        )
            elif step.action in PARTNERSHIP_ACTIONS:
                self._partnership_step(scenario, step, state, users, tasks)
            else:
                raise CommandError(f"Unknown demo step {step.action!r}.")

        return run

    def _partnership_step(self, scenario, step, state, users, tasks) -> None:
        challenge = state["challenge"]
        actor = users.get(step.actor)
        extra = step.extra
        ps = partnership_services
        if step.action == "organisation":
            ps.partnership_register_organisation(
                challenge=challenge,
                actor=actor,
                name=extra["name"],
                legal_form=extra["legal_form"],
                kvk_number=extra["kvk"],
                role=extra["role"],
            )
        elif step.action == "contacts":
            ps.contact_person_assign(
                challenge=challenge,
                side="municipality",
                user=actor,
                mandate=MANDATE_MUNICIPALITY,
                actor=actor,
            )
            if not extra["only_municipality"]:
                person = users[extra["challenger"]]
                ps.contact_person_assign(
                    challenge=challenge,
                    side="challenger",
                    user=person,
                    mandate=MANDATE_CHALLENGER,
                    actor=person,
                )
        elif step.action == "handover":
            ps.contact_person_hand_over(
                challenge=challenge,
                side=extra["side"],
                user=users[extra["to"]],
                mandate=extra["mandate"],
                reason=step.text,
                actor=actor,
            )
        elif step.action == "agreement":
            # Each version keeps the changes of the versions before it.
            state.setdefault("start", timezone.localdate() + timedelta(days=21))
            changes = dict(extra)
            change_note = changes.pop("change_note", "")
            state["terms"] = {**state.get("terms", {}), **changes}
            content = _agreement_content(
                scenario, tasks[scenario.task], state["start"], state["terms"]
            )
            content["change_note"] = change_note
            draft = ps.agreement_save_draft(challenge=challenge, actor=actor, data=content)
            ps.agreement_propose(version=draft, actor=actor)
        elif step.action == "sign":
            version = partnership_selectors.current_version(challenge)
            ps.agreement_sign(version=version, actor=actor, digest=version.digest)
        elif step.action == "milestone":
            ps.milestone_create(
                challenge=challenge,
                actor=actor,
                title=step.text,
                owner_side=extra["side"],
                due_date=timezone.localdate() + timedelta(days=extra["due_in_days"]),
                is_public=extra["public"],
            )
            state.setdefault("milestones", {})[extra["key"]] = Milestone.objects.filter(
                challenge=challenge
            ).latest("pk")
        elif step.action == "milestone_status":
            ps.milestone_update(
                milestone=state["milestones"][extra["key"]],
                actor=actor,
                status=extra["to"],
                note=step.text,
            )
        elif step.action == "reflect":
            state["round"] = ps.reflection_open(challenge=challenge, actor=actor, reason=step.text)
        elif step.action == "answer":
            ps.reflection_answer(
                round=state["round"],
                actor=actor,
                scores=extra["scores"],
                comments=dict(zip(SCORE_KEYS, extra["comments"], strict=True)),
            )
        elif step.action == "knot":
            ps.knot_raise(
                challenge=challenge,
                actor=actor,
                question=step.text,
                decision_needed=extra["decision_needed"],
                needed_by=timezone.localdate() + timedelta(days=extra["needed_in_days"]),
            )
            state.setdefault("knots", {})[extra["key"]] = Knot.objects.filter(
                challenge=challenge
            ).latest("pk")
        elif step.action == "cut":
            ps.knot_resolve(knot=state["knots"][extra["key"]], actor=actor, decision=step.text)
        elif step.action == "message":
            ps.message_post(challenge=challenge, actor=actor, text=step.text)
        elif step.action == "document":
            name = extra["name"]
            ps.document_upload(
                challenge=challenge,
                actor=actor,
                file=ContentFile(_minimal_pdf(name.rsplit(".", 1)[0]), name=name),
                name=name,
                description=step.text,
            )

    # -- report ----------------------------------------------------------------------

    def _report(self, new_users, new_challenges, mails: int) -> None:
        out = self.stdout
        if new_challenges or new_users:
            out.write(
                self.style.SUCCESS(
                    f"Demo data created: {len(new_challenges)} challenges, "
                    f"{len(new_users)} accounts."
                )
            )
        else:
            out.write(self.style.SUCCESS("Demo data was already there; nothing new created."))
        if mails:
            out.write(f"{mails} notification e-mails to demo addresses were discarded, not sent.")
        titles = [scenario.title for scenario in SCENARIOS]
        counts = dict(
            Challenge.objects.filter(title__in=titles)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        overdue = Challenge.objects.filter(title__in=titles, due_at__lt=timezone.now()).count()
        out.write("\nDemo challenges per stage:")
        for status in Status:
            out.write(f"  {status.label:<12} {counts.get(status.value, 0)}")
        out.write(f"  (overdue now: {overdue})")
        demo = Challenge.objects.filter(title__in=titles)
        out.write(
            "Partnerships: "
            f"{AgreementVersion.objects.filter(challenge__in=demo, status='signed').count()} "
            "agreements in force, "
            f"{Knot.objects.filter(challenge__in=demo, status='open').count()} open knots, "
            f"{Document.objects.filter(challenge__in=demo).count()} shared documents."
        )

        out.write("\nDemo accounts (log in with the e-mail address):")
        out.write(f"  {'e-mail':<26} {'password':<24} role")
        for account in ACCOUNTS:
            if account.password:
                out.write(f"  {account.email:<26} {account.password:<24} {account.role}")
        out.write(
            "  Other challengers ("
            + ", ".join(a.email for a in ACCOUNTS if not a.password)
            + ") have no password."
        )
        if any(a.password for a in ACCOUNTS if a not in new_users):
            out.write("  Accounts that already existed were left as they were.")
