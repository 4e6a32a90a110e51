"""Where the demo organisation works: local authorities, their family courts and police forces.

The institutions are real ones (a family court is not a person); everything about people,
addresses and telephone numbers is invented. Telephone numbers come from Ofcom's ranges
reserved for drama, so none of them can ring anyone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    local_authority: str
    short_name: str  # "Leeds": how staff refer to the authority in notes
    court: str
    court_code: str  # first two characters of the area's case numbers
    towns: tuple[str, ...]
    postcode_areas: tuple[str, ...]
    police: str
    landline: str  # a drama-range prefix: three random digits follow
    team: str
    weight: int  # relative number of cases

    @property
    def la_code(self) -> str:
        return self.court_code


# Ofcom's "no area" drama range, for places that have no reserved local range.
NO_AREA_LANDLINE = "01632 960"

AREAS: tuple[Area, ...] = (
    Area(
        "Leeds City Council",
        "Leeds",
        "Family Court at Leeds",
        "LS",
        ("Leeds", "Morley", "Pudsey", "Otley"),
        ("LS",),
        "West Yorkshire Police",
        "0113 496 0",
        "north",
        9,
    ),
    Area(
        "City of Bradford Metropolitan District Council",
        "Bradford",
        "Family Court at Bradford",
        "BD",
        ("Bradford", "Keighley", "Shipley", "Bingley"),
        ("BD",),
        "West Yorkshire Police",
        NO_AREA_LANDLINE,
        "north",
        7,
    ),
    Area(
        "Sheffield City Council",
        "Sheffield",
        "Family Court at Sheffield",
        "SF",
        ("Sheffield", "Stocksbridge"),
        ("S",),
        "South Yorkshire Police",
        "0114 496 0",
        "north",
        7,
    ),
    Area(
        "Manchester City Council",
        "Manchester",
        "Family Court at Manchester",
        "MA",
        ("Manchester", "Wythenshawe", "Gorton"),
        ("M",),
        "Greater Manchester Police",
        "0161 496 0",
        "north",
        10,
    ),
    Area(
        "Liverpool City Council",
        "Liverpool",
        "Family Court at Liverpool",
        "LV",
        ("Liverpool", "Speke", "Walton"),
        ("L",),
        "Merseyside Police",
        "0151 496 0",
        "north",
        8,
    ),
    Area(
        "Newcastle City Council",
        "Newcastle",
        "Family Court at Newcastle upon Tyne",
        "NE",
        ("Newcastle upon Tyne", "Gosforth", "Walker"),
        ("NE",),
        "Northumbria Police",
        "0191 498 0",
        "north",
        5,
    ),
    Area(
        "Kingston upon Hull City Council",
        "Hull",
        "Family Court at Kingston upon Hull",
        "HU",
        ("Hull", "Hessle"),
        ("HU",),
        "Humberside Police",
        NO_AREA_LANDLINE,
        "north",
        4,
    ),
    Area(
        "City of York Council",
        "York",
        "Family Court at York",
        "YO",
        ("York", "Haxby"),
        ("YO",),
        "North Yorkshire Police",
        NO_AREA_LANDLINE,
        "north",
        2,
    ),
    Area(
        "Bristol City Council",
        "Bristol",
        "Family Court at Bristol",
        "BS",
        ("Bristol", "Kingswood", "Filton"),
        ("BS",),
        "Avon and Somerset Police",
        "0117 496 0",
        "south",
        7,
    ),
    Area(
        "Brighton and Hove City Council",
        "Brighton and Hove",
        "Family Court at Brighton",
        "BN",
        ("Brighton", "Hove", "Portslade"),
        ("BN",),
        "Sussex Police",
        NO_AREA_LANDLINE,
        "south",
        4,
    ),
    Area(
        "Portsmouth City Council",
        "Portsmouth",
        "Family Court at Portsmouth",
        "PO",
        ("Portsmouth", "Southsea", "Cosham"),
        ("PO",),
        "Hampshire and Isle of Wight Constabulary",
        NO_AREA_LANDLINE,
        "south",
        4,
    ),
    Area(
        "Southampton City Council",
        "Southampton",
        "Family Court at Southampton",
        "SO",
        ("Southampton", "Eastleigh"),
        ("SO",),
        "Hampshire and Isle of Wight Constabulary",
        NO_AREA_LANDLINE,
        "south",
        4,
    ),
    Area(
        "Kent County Council",
        "Kent",
        "Family Court at Canterbury",
        "CT",
        ("Canterbury", "Margate", "Ashford", "Folkestone", "Maidstone"),
        ("CT", "TN", "ME"),
        "Kent Police",
        NO_AREA_LANDLINE,
        "south",
        9,
    ),
    Area(
        "Reading Borough Council",
        "Reading",
        "Family Court at Reading",
        "RG",
        ("Reading", "Tilehurst"),
        ("RG",),
        "Thames Valley Police",
        "0118 496 0",
        "south",
        3,
    ),
    Area(
        "Plymouth City Council",
        "Plymouth",
        "Family Court at Plymouth",
        "PL",
        ("Plymouth", "Plympton"),
        ("PL",),
        "Devon and Cornwall Police",
        NO_AREA_LANDLINE,
        "south",
        4,
    ),
    Area(
        "London Borough of Lambeth",
        "Lambeth",
        "Central Family Court",
        "ZL",
        ("London",),
        ("SE", "SW"),
        "Metropolitan Police Service",
        "020 7946 0",
        "south",
        6,
    ),
    Area(
        "London Borough of Tower Hamlets",
        "Tower Hamlets",
        "East London Family Court",
        "ZE",
        ("London",),
        ("E",),
        "Metropolitan Police Service",
        "020 7946 0",
        "south",
        6,
    ),
)

TEAMS = ("north", "south")

# Ofcom's drama range for mobiles: 07700 900000 to 07700 900999.
MOBILE_PREFIX = "07700 900"

SCHOOL_KINDS = (
    "Primary School",
    "Primary Academy",
    "Church of England Primary School",
    "Catholic Primary School",
    "Infant School",
    "Junior School",
)
SECONDARY_KINDS = ("Academy", "High School", "School", "Community College")
NURSERY_KINDS = ("Nursery", "Children's Centre", "Pre-School")
