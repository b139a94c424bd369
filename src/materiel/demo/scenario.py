"""The demo scenario: a catalogue, a network and a seeded set of requirements and pledges.

Item types, nodes and links are public facts kept in `data/*.csv` (real
equipment, calibres and places, approximate coordinates). Requirements and
pledges are synthetic: drawn from `random.Random(seed)` around a fixed base
date, so the same seed always gives the same scenario, on every machine and
every day. Every row is a dict of strings with the column names of the import
formats, exactly as if it had been read from a CSV file.

The numbers are shaped to look like the real effort, not to copy it: few
air defence batteries and many protected vehicles are asked for, and donors
pledge too little air defence and too many trucks, so that a planner has
both a shortfall and a surplus to explain.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import TypeVar

Row = dict[str, str]
T = TypeVar("T")

BASE_DATE = date(2026, 12, 1)
"""The scenario's 'today'; every date is drawn relative to it, never to the clock."""

REQUIREMENT_LINES = (480, 560)
MARKING_UNCLASSIFIED = "NATO UNCLASSIFIED"
MARKING_RESTRICTED = "NATO RESTRICTED"
NON_NATO_DONORS = ("AUS", "AUT", "IRL")

# The tables below are data, laid out by hand for reading; the formatter leaves them alone.
# fmt: off
# Receiving units (public names), the kind of formation and their usual receiving depot.
UNITS: tuple[tuple[str, str, str], ...] = (
    ("3rd Separate Assault Brigade", "assault", "ukr-kharkiv"),
    ("5th Separate Assault Brigade", "assault", "ukr-dnipro"),
    ("10th Mountain Assault Brigade", "air-assault", "ukr-dnipro"),
    ("24th Mechanized Brigade", "mechanized", "ukr-dnipro"),
    ("47th Mechanized Brigade", "mechanized", "ukr-zaporizhzhia"),
    ("53rd Mechanized Brigade", "mechanized", "ukr-dnipro"),
    ("65th Mechanized Brigade", "mechanized", "ukr-zaporizhzhia"),
    ("72nd Mechanized Brigade", "mechanized", "ukr-dnipro"),
    ("92nd Assault Brigade", "assault", "ukr-kharkiv"),
    ("93rd Mechanized Brigade", "mechanized", "ukr-kharkiv"),
    ("1st Tank Brigade", "tank", "ukr-kyiv"),
    ("4th Tank Brigade", "tank", "ukr-kharkiv"),
    ("25th Airborne Brigade", "air-assault", "ukr-dnipro"),
    ("79th Air Assault Brigade", "air-assault", "ukr-zaporizhzhia"),
    ("82nd Air Assault Brigade", "air-assault", "ukr-zaporizhzhia"),
    ("26th Artillery Brigade", "artillery", "ukr-kharkiv"),
    ("40th Artillery Brigade", "artillery", "ukr-odesa"),
    ("44th Artillery Brigade", "artillery", "ukr-zaporizhzhia"),
    ("27th Rocket Artillery Brigade", "rocket", "ukr-kharkiv"),
    ("107th Rocket Artillery Brigade", "rocket", "ukr-dnipro"),
    ("Air Force Command", "air-force", "ukr-kyiv"),
    ("96th Anti-Aircraft Missile Brigade", "air-defence", "ukr-kyiv"),
    ("138th Anti-Aircraft Missile Brigade", "air-defence", "ukr-dnipro"),
    ("38th Anti-Aircraft Missile Regiment", "shorad", "ukr-kharkiv"),
    ("35th Marine Brigade", "marine", "ukr-odesa"),
    ("Ukrainian Navy", "navy", "ukr-odesa"),
    ("48th Engineer Brigade", "engineer", "ukr-lviv"),
    ("State Emergency Service demining group", "demining", "ukr-kyiv"),
    ("Support Forces Command", "support", "ukr-lviv"),
    ("Medical Forces Command", "medical", "ukr-kyiv"),
    ("Unmanned Systems Forces", "drones", "ukr-kyiv"),
)

# What each kind of formation asks for: item type id and a relative weight.
NEEDS: dict[str, tuple[tuple[str, int], ...]] = {
    "mechanized": (
        ("leopard-2a4", 2), ("leopard-1a5", 2), ("t-72m1", 2), ("pt-91", 1),
        ("m2-bradley", 3), ("cv90", 2), ("marder-1a3", 2), ("bmp-1", 2), ("m113", 3),
        ("ypr-765", 2), ("stryker", 2), ("maxxpro", 3), ("hmmwv", 2), ("roshel-senator", 2),
        ("m777", 1), ("d-30", 1), ("switchblade-300", 1), ("flyeye", 1), ("bergepanzer-2", 1),
        ("sprinter-ambulance", 1), ("m113-amtv", 1), ("gepard", 1),
    ),
    "assault": (
        ("m2-bradley", 2), ("cv90", 2), ("marder-1a3", 1), ("bmp-1", 2), ("stryker", 2),
        ("maxxpro", 3), ("bushmaster", 2), ("cougar", 2), ("m-atv", 1), ("husky-tsv", 2),
        ("leopard-2a6", 1), ("challenger-2", 1), ("switchblade-600", 1), ("phoenix-ghost", 1),
        ("puma-ae", 1), ("land-cruiser-ambulance", 1),
    ),
    "tank": (
        ("leopard-2a4", 3), ("leopard-2a6", 3), ("challenger-2", 2), ("m1a1-abrams", 2),
        ("strv-122", 1), ("pt-91", 2), ("t-72m1", 2), ("leopard-1a5", 2), ("bergepanzer-2", 2),
        ("bergepanzer-3", 1), ("m88", 1), ("m1070-het", 2), ("biber", 1),
    ),
    "air-assault": (
        ("stryker", 2), ("amx-10-rc", 2), ("vab", 2), ("patria-pasi", 2), ("maxxpro", 2),
        ("mastiff", 1), ("wolfhound", 1), ("hmmwv", 2), ("l119", 2), ("m119", 2),
        ("vector", 1), ("scaneagle", 1), ("switchblade-600", 1),
    ),
    "artillery": (
        ("pzh-2000", 3), ("caesar", 3), ("caesar-8x8", 1), ("m109a6", 2), ("m109a5", 1),
        ("ahs-krab", 2), ("archer", 1), ("zuzana-2", 2), ("as-90", 1), ("rch-155", 1),
        ("2s1-gvozdika", 1), ("m777", 3), ("fh70", 2), ("trf1", 1), ("d-30", 1),
        ("an-tpq-36", 1), ("an-tpq-50", 1), ("cobra", 1), ("arthur", 1), ("hx-8x8", 1),
        ("tatra-815", 1),
    ),
    "rocket": (
        ("himars", 3), ("m270", 3), ("rm-70", 2), ("bm-21-grad", 2), ("hx-8x8", 1),
        ("an-tpq-50", 1),
    ),
    "air-force": (
        ("patriot", 3), ("samp-t", 1), ("iris-t-slm", 3), ("nasams", 3), ("hawk", 1),
        ("trml-4d", 2), ("giraffe-amb", 1), ("f-16", 1), ("m978-tanker", 1),
    ),
    "air-defence": (
        ("patriot", 2), ("iris-t-slm", 3), ("nasams", 3), ("hawk", 2), ("samp-t", 1),
        ("iris-t-sls", 1), ("trml-4d", 1),
    ),
    "shorad": (
        ("gepard", 3), ("skynex", 2), ("avenger", 2), ("stormer-hvm", 1), ("crotale-ng", 1),
        ("iris-t-sls", 1), ("vampire", 2), ("giraffe-amb", 1),
    ),
    "marine": (
        ("bmp-1", 1), ("m113", 2), ("maxxpro", 2), ("hmmwv", 2), ("m777", 1),
        ("switchblade-300", 1),
    ),
    "navy": (("harpoon-coastal", 2), ("mark-vi", 3), ("scaneagle", 1)),
    "engineer": (
        ("pionierpanzer-dachs", 2), ("biber", 2), ("bergepanzer-2", 1), ("bergepanzer-3", 1),
        ("m88", 1), ("leopard-2r", 1), ("wisent-1-mc", 1), ("m1150-abv", 1), ("tatra-815", 1),
        ("zetros", 1),
    ),
    "demining": (
        ("mv-4", 3), ("bozena-5", 3), ("gcs-200", 2), ("hydrema-910", 2), ("zetros", 1),
        ("land-cruiser-ambulance", 1), ("sprinter-ambulance", 1),
    ),
    "support": (
        ("hx-8x8", 3), ("tatra-815", 3), ("zetros", 2), ("m1070-het", 2), ("m978-tanker", 2),
        ("tatra-815-tanker", 2), ("bergepanzer-3", 1),
    ),
    "medical": (
        ("sprinter-ambulance", 3), ("land-cruiser-ambulance", 2), ("m113-amtv", 2),
        ("fv104-samaritan", 2),
    ),
    "drones": (
        ("bayraktar-tb2", 2), ("scaneagle", 2), ("vector", 2), ("flyeye", 2), ("puma-ae", 2),
        ("switchblade-300", 1), ("switchblade-600", 1), ("phoenix-ghost", 1),
    ),
}

# Quantities asked for (and pledged) in one line, by family: few batteries, many vehicles.
QUANTITY: dict[str, tuple[int, int]] = {
    "lrad": (1, 2),
    "mrad": (1, 4),
    "shorad": (2, 12),
    "c-uas": (2, 10),
    "air-surveillance-radar": (1, 4),
    "counter-battery-radar": (1, 6),
    "155mm-sph": (4, 18),
    "122mm-sph": (6, 18),
    "155mm-towed": (6, 24),
    "105mm-towed": (6, 18),
    "122mm-towed": (6, 24),
    "mlrs-227mm": (2, 8),
    "mlrs-122mm": (4, 12),
    "mbt": (4, 31),
    "ifv": (6, 40),
    "apc": (8, 40),
    "armoured-recce": (4, 20),
    "mrap": (10, 40),
    "light-protected-vehicle": (10, 40),
    "light-utility-vehicle": (10, 40),
    "mine-clearing-vehicle": (1, 6),
    "mine-clearing-tank": (1, 6),
    "armoured-engineering-vehicle": (2, 8),
    "arv": (2, 8),
    "avlb": (2, 8),
    "male-uav": (1, 6),
    "tactical-uas": (4, 20),
    "small-uas": (5, 40),
    "loitering-munition": (10, 40),
    "cargo-truck": (10, 40),
    "het": (4, 16),
    "fuel-tanker": (6, 24),
    "ambulance": (5, 30),
    "armoured-ambulance": (4, 20),
    "patrol-boat": (2, 10),
    "coastal-defence": (1, 2),
    "fighter": (2, 12),
}
DEFAULT_QUANTITY = (1, 10)

# Units pledged per unit required, by family: air defence short, vehicles over-pledged.
COVERAGE: dict[str, float] = {
    "lrad": 0.3,
    "mrad": 0.45,
    "shorad": 0.6,
    "c-uas": 0.7,
    "air-surveillance-radar": 0.6,
    "counter-battery-radar": 0.7,
    "fighter": 0.4,
    "coastal-defence": 0.5,
    "mlrs-227mm": 0.55,
    "155mm-sph": 0.75,
    "mbt": 0.7,
    "ifv": 0.85,
    "male-uav": 0.8,
    "apc": 1.4,
    "mrap": 1.5,
    "light-protected-vehicle": 1.3,
    "light-utility-vehicle": 1.6,
    "cargo-truck": 1.3,
    "fuel-tanker": 1.2,
    "ambulance": 1.5,
    "mine-clearing-vehicle": 1.2,
    "small-uas": 1.25,
}
DEFAULT_COVERAGE = 1.0

# Each donor's depot and what it plausibly gives. Austria and Ireland give no weapons.
DONORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "USA": (
        "depot-usa-anniston",
        (
            "m109a6", "m109a5", "m777", "m119", "himars", "patriot", "nasams", "avenger", "hawk",
            "m1a1-abrams", "m2-bradley", "m113", "stryker", "maxxpro", "cougar", "m-atv",
            "hmmwv", "m88", "m1150-abv", "puma-ae", "scaneagle", "switchblade-300",
            "switchblade-600", "phoenix-ghost", "an-tpq-36", "an-tpq-50", "m1070-het",
            "m978-tanker", "mark-vi", "harpoon-coastal", "vampire", "m113-amtv", "mv-4",
        ),
    ),
    "DEU": (
        "depot-deu-unterluess",
        (
            "pzh-2000", "iris-t-slm", "iris-t-sls", "patriot", "gepard", "skynex", "leopard-2a6",
            "leopard-1a5", "marder-1a3", "bergepanzer-2", "bergepanzer-3", "pionierpanzer-dachs",
            "biber", "wisent-1-mc", "rch-155", "m270", "cobra", "trml-4d", "vector", "hx-8x8",
            "zetros", "sprinter-ambulance", "gcs-200",
        ),
    ),
    "GBR": (
        "depot-gbr-donnington",
        (
            "as-90", "l119", "m270", "challenger-2", "stormer-hvm", "mastiff", "wolfhound",
            "husky-tsv", "fv104-samaritan", "m113", "arthur", "hx-8x8", "fh70",
        ),
    ),
    "POL": (
        "depot-pol-stalowa-wola",
        ("ahs-krab", "pt-91", "t-72m1", "bmp-1", "2s1-gvozdika", "bm-21-grad", "flyeye",
         "leopard-2a4"),
    ),
    "FRA": (
        "depot-fra-bourges",
        ("caesar", "trf1", "amx-10-rc", "vab", "crotale-ng", "samp-t", "m270"),
    ),
    "NLD": (
        "depot-nld-woensdrecht",
        ("pzh-2000", "ypr-765", "patriot", "leopard-1a5", "f-16", "an-tpq-36", "biber", "cv90"),
    ),
    "NOR": (
        "depot-nor-kjeller",
        ("nasams", "m270", "leopard-2a4", "f-16", "arthur", "m113", "hx-8x8"),
    ),
    "DNK": (
        "depot-dnk-ballerup",
        ("caesar-8x8", "leopard-1a5", "f-16", "m113", "harpoon-coastal", "hydrema-910",
         "sprinter-ambulance", "cv90"),
    ),
    "SWE": ("depot-swe-karlskoga", ("archer", "strv-122", "cv90", "giraffe-amb", "hx-8x8")),
    "FIN": ("depot-fin-tampere", ("2s1-gvozdika", "d-30", "patria-pasi", "leopard-2r")),
    "CAN": (
        "depot-can-montreal",
        ("m777", "leopard-2a4", "nasams", "roshel-senator", "gcs-200", "bergepanzer-3"),
    ),
    "ITA": ("depot-ita-piacenza", ("pzh-2000", "fh70", "samp-t", "m270", "m113")),
    "ESP": ("depot-esp-madrid", ("leopard-2a4", "m113", "hawk", "land-cruiser-ambulance")),
    "CZE": (
        "depot-cze-senov",
        ("rm-70", "t-72m1", "bmp-1", "d-30", "2s1-gvozdika", "tatra-815", "tatra-815-tanker"),
    ),
    "SVK": ("depot-svk-trencin", ("zuzana-2", "bozena-5", "bmp-1", "tatra-815",
                                  "tatra-815-tanker")),
    "EST": ("depot-est-tallinn", ("d-30", "fh70", "zetros")),
    "LVA": ("depot-lva-riga", ("m109a5", "sprinter-ambulance")),
    "LTU": ("depot-ltu-vilnius", ("m113", "hmmwv")),
    "BEL": ("depot-bel-peutie", ("f-16", "leopard-1a5", "land-cruiser-ambulance")),
    "PRT": ("depot-prt-lisbon", ("leopard-2a6", "m113", "sprinter-ambulance")),
    "ROU": ("depot-rou-bucharest", ("patriot", "land-cruiser-ambulance")),
    "BGR": ("depot-bgr-sofia", ("d-30", "bm-21-grad")),
    "HRV": ("depot-hrv-zagreb", ("d-30", "bm-21-grad", "mv-4")),
    "SVN": ("depot-svn-ljubljana", ("hmmwv", "sprinter-ambulance")),
    "GRC": ("depot-grc-thessaloniki", ("bmp-1",)),
    "AUS": ("depot-aus-bendigo", ("bushmaster", "m113", "m777", "m1a1-abrams")),
    "TUR": ("depot-tur-istanbul", ("bayraktar-tb2",)),
    "LUX": ("depot-lux-luxembourg", ("hmmwv", "land-cruiser-ambulance")),
    "IRL": ("depot-irl-dublin", ("mv-4", "sprinter-ambulance", "zetros")),
    "AUT": ("depot-aut-vienna", ("bozena-5", "sprinter-ambulance", "zetros")),
}
NON_LETHAL_AREAS = "demining|logistics|medical"
NON_LETHAL_DONORS = ("AUT", "IRL")

# Item types still in production: donors often give them new. Others come from stocks.
NEW_BUILD = frozenset(
    {
        "iris-t-slm", "iris-t-sls", "nasams", "skynex", "caesar", "caesar-8x8", "archer",
        "zuzana-2", "rch-155", "ahs-krab", "himars", "mv-4", "bozena-5", "gcs-200",
        "hydrema-910", "vector", "flyeye", "puma-ae", "scaneagle", "switchblade-300",
        "switchblade-600", "phoenix-ghost", "bayraktar-tb2", "trml-4d", "giraffe-amb",
        "an-tpq-50", "hx-8x8", "zetros", "tatra-815", "tatra-815-tanker",
        "sprinter-ambulance", "land-cruiser-ambulance", "roshel-senator", "bushmaster", "cv90",
        "vampire",
    }
)
CONDITIONS_NEW = (("new", 70), ("refurbished", 10), ("used-serviceable", 20))
CONDITIONS_STOCK = (("refurbished", 35), ("used-serviceable", 50), ("needs-repair", 15))
PRIORITY_WEIGHTS = ((1, 8), (2, 17), (3, 30), (4, 27), (5, 18))

JUSTIFICATIONS: dict[str, tuple[str, ...]] = {
    "artillery": (
        "Replace guns lost to counter-battery fire and worn-out barrels.",
        "Equip a newly formed artillery battalion.",
        "Restore counter-battery capability on the unit's sector.",
    ),
    "iamd": (
        "Protect energy infrastructure against cruise and ballistic missiles.",
        "Close a gap in the air defence of a city and its power plants.",
        "Counter one-way attack drones over the unit's sector.",
    ),
    "armour": (
        "Replace combat losses of armoured vehicles.",
        "Equip a newly formed mechanized battalion.",
        "Reduce the number of vehicle types in the brigade's fleet.",
    ),
    "infantry-mobility": (
        "Protected mobility for infantry rotations to the front line.",
        "Replace soft-skinned vehicles lost to drones and mines.",
    ),
    "demining": (
        "Clear farmland and access roads in de-occupied areas.",
        "Breach minefields for the brigade's manoeuvre.",
    ),
    "engineering": (
        "Recover damaged armour from the battlefield.",
        "Gap crossing and obstacle clearing for the brigade.",
    ),
    "drones": (
        "Reconnaissance and target acquisition for the brigade's fires.",
        "Strike artillery and logistics beyond the contact line.",
    ),
    "logistics": (
        "Move ammunition and fuel from railheads to forward depots.",
        "Carry heavy armour to and from repair facilities.",
    ),
    "medical": ("Casualty evacuation from the front line to stabilisation points.",),
    "maritime": (
        "Defend the coast and the grain corridor against naval attack.",
        "Patrol the Dnipro river and coastal waters.",
    ),
    "air-force": ("Rebuild the fighter fleet for air defence and strike missions.",),
}


# fmt: on


@dataclass(frozen=True)
class DemoScenario:
    """Rows ready for the importers, every value a string as read from a CSV cell."""

    item_types: list[Row]
    nodes: list[Row]
    links: list[Row]
    requirements: list[Row]
    pledges: list[Row]


def build(seed: int = 2026) -> DemoScenario:
    """The demo scenario; the same seed gives the same rows."""
    rng = random.Random(seed)
    item_types = read_rows("item_types.csv")
    by_id = {row["id"]: row for row in item_types}
    requirements = make_requirements(rng, by_id)
    pledges = make_pledges(rng, by_id, requirements)
    return DemoScenario(
        item_types=item_types,
        nodes=read_rows("nodes.csv"),
        links=read_rows("links.csv"),
        requirements=requirements,
        pledges=pledges,
    )


def read_rows(name: str) -> list[Row]:
    """A CSV file of the `data` folder as row dicts of strings."""
    text = resources.files("materiel.demo").joinpath("data", name).read_text("utf-8")
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def split(cell: str) -> list[str]:
    return [part for part in cell.split("|") if part]


def weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return rng.choices(values, weights)[0]


def quantity(rng: random.Random, family: str) -> int:
    """A quantity skewed towards the low end of the family's range."""
    low, high = QUANTITY.get(family, DEFAULT_QUANTITY)
    skew: float = rng.random() ** 1.6
    return low + math.floor((high - low + 1) * skew)


def iso(day: date) -> str:
    return day.isoformat()


def make_requirements(rng: random.Random, item_types: dict[str, Row]) -> list[Row]:
    count = rng.randint(*REQUIREMENT_LINES)
    return [make_requirement(rng, item_types, number) for number in range(1, count + 1)]


def make_requirement(rng: random.Random, item_types: dict[str, Row], number: int) -> Row:
    unit, kind, destination = rng.choice(UNITS)
    item = item_types[weighted(rng, NEEDS[kind])]
    substitutes = split(item["substitutes"])
    accepts = sorted(rng.sample(substitutes, rng.randint(0, len(substitutes))))
    area = item["capability_area"]
    restricted = rng.random() < 0.12
    return {
        "ref": f"REQ-{number:04d}",
        "item_type": item["id"],
        "accepts": "|".join(accepts),
        "quantity": str(quantity(rng, item["family"])),
        "priority": str(weighted(rng, PRIORITY_WEIGHTS)),
        "needed_by": iso(BASE_DATE + timedelta(days=rng.randint(60, 540))),
        "unit": unit,
        "destination": destination,
        "capability_area": area,
        "justification": rng.choice(JUSTIFICATIONS[area]),
        "classification": MARKING_RESTRICTED if restricted else MARKING_UNCLASSIFIED,
        "releasable_to": "UKR|NATO",
    }


def offers_by_family(item_types: dict[str, Row]) -> dict[str, list[tuple[str, str]]]:
    """(donor, item type) pairs that can be pledged, grouped by family."""
    offers: dict[str, list[tuple[str, str]]] = {}
    for donor, (_, items) in DONORS.items():
        for item_id in items:
            offers.setdefault(item_types[item_id]["family"], []).append((donor, item_id))
    return offers


def make_pledges(
    rng: random.Random, item_types: dict[str, Row], requirements: list[Row]
) -> list[Row]:
    """Pledge each family up to its coverage of the units required, then shuffle."""
    required: dict[str, int] = {}
    units: dict[str, list[str]] = {}
    for req in requirements:
        family = item_types[req["item_type"]]["family"]
        required[family] = required.get(family, 0) + int(req["quantity"])
        units.setdefault(family, [])
        if req["unit"] not in units[family]:
            units[family].append(req["unit"])
    offers = offers_by_family(item_types)
    drafts: list[Row] = []
    for family, total in required.items():
        target = math.ceil(total * COVERAGE.get(family, DEFAULT_COVERAGE))
        pledged = 0
        while pledged < target and offers.get(family):
            donor, item_id = rng.choice(offers[family])
            amount = quantity(rng, family)
            drafts.append(make_pledge(rng, item_types[item_id], donor, amount, units[family]))
            pledged += amount
    rng.shuffle(drafts)
    for number, pledge in enumerate(drafts, start=1):
        pledge["ref"] = f"PLG-{number:04d}"
    return drafts


def make_pledge(
    rng: random.Random, item: Row, donor: str, amount: int, family_units: list[str]
) -> Row:
    conditions = CONDITIONS_NEW if item["id"] in NEW_BUILD else CONDITIONS_STOCK
    available = BASE_DATE + timedelta(days=rng.randint(-30, 365))
    restricted = rng.random() < 0.15
    releasable = "UKR|NATO" + (f"|{donor}" if donor in NON_NATO_DONORS else "")
    pledge: Row = {
        "ref": "",
        "donor": donor,
        "item_type": item["id"],
        "quantity": str(amount),
        "condition": weighted(rng, conditions),
        "origin": DONORS[donor][0],
        "available_from": iso(available),
        "caveat_areas": "",
        "caveat_units": "",
        "caveat_not_before": "",
        "classification": MARKING_RESTRICTED if restricted else MARKING_UNCLASSIFIED,
        "releasable_to": releasable,
    }
    add_caveat(rng, pledge, item, available, family_units)
    return pledge


def add_caveat(
    rng: random.Random, pledge: Row, item: Row, available: date, family_units: list[str]
) -> None:
    """About one pledge in ten carries a caveat; non-lethal donors always limit the areas."""
    if pledge["donor"] in NON_LETHAL_DONORS:
        pledge["caveat_areas"] = NON_LETHAL_AREAS
        return
    draw = rng.random()
    if draw < 0.04:
        other = rng.choice([a for a in JUSTIFICATIONS if a != item["capability_area"]])
        pledge["caveat_areas"] = "|".join(sorted({item["capability_area"], other}))
    elif draw < 0.07:
        chosen = rng.sample(family_units, min(len(family_units), rng.randint(1, 3)))
        pledge["caveat_units"] = "|".join(chosen)
    elif draw < 0.10:
        pledge["caveat_not_before"] = iso(available + timedelta(days=rng.randint(30, 120)))
