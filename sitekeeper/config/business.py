"""site.toml `[business]` (the local-business kit) and `[lang.<code>]` (per-language texts).

Both parsed here, apart from the rest of site.toml: ``parse_business`` and ``parse_lang``
take the TOML tables and collect every problem with its line; site.py calls them once.
A site without `[theme]` colours gets a curated palette of its kind of business
(``default_palette``, config/palettes.py): two clients of different kinds never share a hue,
and white text on the primary colour always reaches WCAG AA.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Mapping, Protocol, TypeVar

from ..errors import Problems, did_you_mean
from .toml import Lines, check_keys

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BUSINESS_KEYS = {"type", "address", "phone", "email", "hours", "closed", "map_url", "socials", "share_image",
                 "price_range"}
LANG_KEYS = {"name", "tagline", "description", "paths", "strings", "email_strings"}
PATH_WORDS = {"promotions": "promotions", "newsletter": "newsletter"}
"""URL words a site may name per language, and their defaults."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# schema.org LocalBusiness and its common subtypes (https://schema.org/LocalBusiness).
TYPES = {
    "LocalBusiness", "AnimalShelter", "ArchiveOrganization", "AutomotiveBusiness", "AutoBodyShop", "AutoDealer",
    "AutoPartsStore", "AutoRental", "AutoRepair", "AutoWash", "GasStation", "MotorcycleDealer", "MotorcycleRepair",
    "ChildCare", "Dentist", "DryCleaningOrLaundry", "EmergencyService", "EmploymentAgency", "EntertainmentBusiness",
    "ArtGallery", "NightClub", "FinancialService", "AccountingService", "InsuranceAgency", "FoodEstablishment",
    "Bakery", "BarOrPub", "Brewery", "CafeOrCoffeeShop", "Distillery", "FastFoodRestaurant", "IceCreamShop",
    "Restaurant", "Winery", "GovernmentOffice", "HealthAndBeautyBusiness", "BeautySalon", "DaySpa", "HairSalon",
    "HealthClub", "NailSalon", "TattooParlor", "HomeAndConstructionBusiness", "Electrician", "GeneralContractor",
    "HVACBusiness", "HousePainter", "Locksmith", "MovingCompany", "Plumber", "RoofingContractor",
    "InternetCafe", "LegalService", "Attorney", "Notary", "Library", "LodgingBusiness", "BedAndBreakfast",
    "Campground", "Hostel", "Hotel", "Motel", "Resort", "MedicalBusiness", "MedicalClinic", "Optician",
    "Pharmacy", "Physician", "Physiotherapy", "ProfessionalService", "RealEstateAgent", "SelfStorage",
    "ShoppingCenter", "SportsActivityLocation", "ExerciseGym", "GolfCourse", "SportsClub", "StadiumOrArena",
    "Store", "BikeStore", "BookStore", "ClothingStore", "ComputerStore", "ConvenienceStore", "DepartmentStore",
    "ElectronicsStore", "Florist", "FurnitureStore", "GardenStore", "GroceryStore", "HardwareStore", "HobbyShop",
    "HomeGoodsStore", "JewelryStore", "LiquorStore", "MensClothingStore", "MobilePhoneStore", "MovieRentalStore",
    "MusicStore", "OfficeEquipmentStore", "OutletStore", "PawnShop", "PetStore", "ShoeStore", "SportingGoodsStore",
    "TireShop", "ToyStore", "WholesaleStore", "TouristInformationCenter", "TravelAgency", "VeterinaryCare",
    "Tailor", "Photographer", "Psychologist", "DrivingSchool", "Preschool",
    # the rest of schema.org's LocalBusiness tree
    "RadioStation", "RecyclingCenter", "TelevisionStation", "FireStation", "Hospital", "PoliceStation",
    "AdultEntertainment", "AmusementPark", "Casino", "ComedyClub", "MovieTheater", "AutomatedTeller",
    "BankOrCreditUnion", "PostOffice", "VacationRental", "SkiResort", "BowlingAlley", "PublicSwimmingPool",
    "TennisComplex", "CommunityHealth", "Dermatology", "DietNutrition", "Emergency", "Geriatric", "Gynecologic",
    "Midwifery", "Nursing", "Obstetric", "Oncologic", "Optometric", "Otolaryngologic", "Pediatric",
    "PlasticSurgery", "Podiatric", "PrimaryCare", "Psychiatric", "PublicHealth", "CovidTestingFacility",
    "IndividualPhysician", "PhysiciansOffice",
}

_HOURS_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)\s*[-–]\s*([01]\d|2[0-4]):([0-5]\d)$")
_PHONE_RE = re.compile(r"^\+?[\d\s()./-]{5,}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PATH_WORD_RE = re.compile(r"^[^\s/\\?#<>\"'%]+$")


@dataclass(frozen=True)
class Hours:
    days: tuple[str, ...]
    """Weekday codes (mon ... sun) these hours apply to."""
    spans: tuple[tuple[str, str], ...]
    """(opens, closes) as HH:MM; empty when closed on those days."""


@dataclass(frozen=True)
class Business:
    type: str = "LocalBusiness"
    """A schema.org LocalBusiness subtype."""
    address: str = ""
    """Postal address as people write it (defaults to [mail] postal_address)."""
    phone: str = ""
    """Phone number, preferably international (+49 30 ...)."""
    email: str = ""
    """Contact address."""
    hours: tuple[Hours, ...] = ()
    """Opening hours in the order written."""
    closed: tuple[date, ...] = ()
    """Days closed despite the hours (holidays)."""
    map_url: str = ""
    """A link to the place on a map."""
    socials: tuple[tuple[str, str], ...] = ()
    """(network, profile URL)."""
    share_image: str = ""
    """Image for link previews of pages without one (path relative to the site folder)."""
    price_range: str = ""
    """schema.org priceRange, e.g. "€€"."""

    @property
    def tel_url(self) -> str:
        return "tel:" + re.sub(r"[^\d+]", "", self.phone) if self.phone else ""

    def upcoming_closed(self, today: date, limit: int = 6) -> tuple[date, ...]:
        """The closed days a page shows on ``today``: that day and the next ones, at most ``limit``."""
        return tuple(d for d in self.closed if d >= today)[:limit]

    def day_spans(self, day: str) -> tuple[tuple[str, str], ...] | None:
        """The spans of a weekday, () when closed, None when the hours do not say."""
        for h in self.hours:
            if day in h.days:
                return h.spans
        return None


@dataclass(frozen=True)
class LangTexts:
    name: str = ""
    """The business name in this language ('' = the site's name)."""
    tagline: str = ""
    """The tagline in this language ('' = [theme] tagline)."""
    description: str = ""
    """The site description in this language ('' = the top-level description)."""
    paths: Mapping[str, str] = field(default_factory=dict)
    """URL words in this language: {"promotions": "akce"}."""
    strings: Mapping[str, str] = field(default_factory=dict)
    """UI strings of the site added or overridden for this language."""
    email_strings: Mapping[str, str] = field(default_factory=dict)
    """Email labels added or overridden for this language."""


def _expand_days(spec: str) -> tuple[str, ...] | None:
    days: list[str] = []
    for part in spec.lower().replace(" ", "").split(","):
        if "-" in part:
            a, _, b = part.partition("-")
            if a not in WEEKDAYS or b not in WEEKDAYS:
                return None
            i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
            days += WEEKDAYS[i:j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[:j + 1]
        elif part in WEEKDAYS:
            days.append(part)
        else:
            return None
    return tuple(days)


def _type_hint(btype: str) -> str:
    same_case = {t.lower(): t for t in TYPES}.get(btype.lower().replace(" ", ""))
    hint = f"did you mean `{same_case}`?" if same_case else did_you_mean(btype, TYPES)
    return hint or ("use e.g. Bakery, Dentist, HairSalon, Store, or LocalBusiness when none fits "
                    "(https://schema.org/LocalBusiness lists them)")


def parse_business(data: object, lines: Lines, relpath: str, problems: Problems, postal_address: str) -> Business | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.error(relpath, lines.get(("", "business")), "`business` must be a table", "write it as [business]")
        return None
    check_keys(data, BUSINESS_KEYS, "business", lines, relpath, problems)

    def line(key: str) -> int | None:
        return lines.get(("business", key)) or lines.get(("", "business"))

    def text(key: str) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            problems.error(relpath, line(key), f"`{key}` must be a string", f'write it as `{key} = "…"`')
            return ""
        return value.strip()

    btype = text("type") or "LocalBusiness"
    if btype not in TYPES:
        # The type goes into every home page's JSON-LD: a typo there is a business search engines
        # cannot place, so it is refused like any other misspelt setting.
        problems.error(relpath, line("type"), f"`type` {btype!r} is not a schema.org LocalBusiness type",
                       _type_hint(btype))
    phone = text("phone")
    if phone and not _PHONE_RE.match(phone):
        problems.error(relpath, line("phone"), f"`phone` {phone!r} is not a phone number",
                       'write it with the country code, e.g. `phone = "+49 30 1234567"`')
    email = text("email")
    if email and not _EMAIL_RE.match(email):
        problems.error(relpath, line("email"), f"`email` {email!r} is not an email address",
                       'write it as `email = "info@example.com"`')
    map_url = text("map_url")
    if map_url and not re.match(r"^https?://\S+$", map_url):
        problems.error(relpath, line("map_url"), "`map_url` must be an http(s) link",
                       "copy the link of the place from OpenStreetMap or your map service")

    hours: list[Hours] = []
    raw_hours = data.get("hours", {})
    if not isinstance(raw_hours, dict):
        problems.error(relpath, line("hours"), "`hours` must be a table of days and times",
                       'write it as `hours = { mon-fri = "07:00-18:00", sat = "07:00-13:00" }`')
        raw_hours = {}
    seen: set[str] = set()
    for spec, value in raw_hours.items():
        days = _expand_days(str(spec))
        if not days:
            problems.error(relpath, line("hours"), f"`hours`: {spec!r} is not a day or a range of days",
                           "use mon, tue, wed, thu, fri, sat, sun, ranges (mon-fri) and lists (mon,wed)")
            continue
        if seen & set(days):
            problems.error(relpath, line("hours"), f"`hours`: {spec!r} repeats a day given before",
                           "give each day once")
        seen |= set(days)
        if not isinstance(value, str):
            problems.error(relpath, line("hours"), f"`hours`: the time of {spec!r} must be a string",
                           'write it as "07:00-18:00", "08:00-12:00, 14:00-18:00" or "closed"')
            continue
        spans: list[tuple[str, str]] = []
        if value.strip().lower() not in ("closed", "", "-"):
            for piece in value.split(","):
                m = _HOURS_RE.match(piece.strip())
                if not m or (m.group(1), m.group(2)) >= (m.group(3), m.group(4)):
                    problems.error(relpath, line("hours"), f"`hours`: {value!r} ({spec}) is not a time span",
                                   'write it as "07:00-18:00", "08:00-12:00, 14:00-18:00" or "closed"')
                    spans = []
                    break
                spans.append((f"{m.group(1)}:{m.group(2)}", f"{m.group(3)}:{m.group(4)}"))
        hours.append(Hours(days, tuple(spans)))

    closed: list[date] = []
    raw_closed = data.get("closed", [])
    if not isinstance(raw_closed, list):
        problems.error(relpath, line("closed"), "`closed` must be a list of dates",
                       'write it as `closed = ["2026-12-25", "2026-12-26"]`')
        raw_closed = []
    for item in raw_closed:
        try:
            closed.append(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            problems.error(relpath, line("closed"), f"`closed`: {item!r} is not a date",
                           'write dates as "2026-12-25"')

    socials: list[tuple[str, str]] = []
    raw_socials = data.get("socials", {})
    if not isinstance(raw_socials, dict):
        problems.error(relpath, line("socials"), "`socials` must be a table",
                       'write it as `socials = { instagram = "https://instagram.com/…" }`')
        raw_socials = {}
    for network, url in raw_socials.items():
        if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
            problems.error(relpath, line("socials"), f"`socials`: {network} must be an http(s) link",
                           "copy the address of the profile page")
            continue
        socials.append((str(network), url))

    address = text("address") or (postal_address or "").strip()
    return Business(type=btype, address=address, phone=phone, email=email, hours=tuple(hours),
                    closed=tuple(sorted(closed)), map_url=map_url, socials=tuple(socials),
                    share_image=text("share_image"), price_range=text("price_range"))


def parse_lang(data: object, languages: Collection[str], lines: Lines, relpath: str, problems: Problems) -> Mapping[str, LangTexts]:
    """`[lang.<code>]` tables -> {code: LangTexts}."""
    if data is None:
        return MappingProxyType({})
    if not isinstance(data, dict):
        problems.error(relpath, lines.get(("", "lang")), "`lang` must be tables such as [lang.en]",
                       'write it as [lang.en] with `tagline = "…"` below')
        return MappingProxyType({})
    out: dict[str, LangTexts] = {}
    for code, table in data.items():
        tname = f"lang.{code}"
        where = lines.get((tname, "")) or lines.get(("lang", code)) or lines.get(("", "lang"))
        if code not in languages:
            problems.warning(relpath, where, f"[lang.{code}] is for a language the site does not list",
                             f"add {code!r} to `languages`, or remove [lang.{code}]")
        if not isinstance(table, dict):
            problems.error(relpath, where, f"`lang.{code}` must be a table", f"write it as [lang.{code}]")
            continue
        check_keys(table, LANG_KEYS, tname, lines, relpath, problems)
        values: dict[str, Any] = {}
        for key in ("name", "tagline", "description"):
            value = table.get(key, "")
            if not isinstance(value, str):
                problems.error(relpath, lines.get((tname, key)) or where, f"`{key}` must be a string", "quote it")
                value = ""
            values[key] = value.strip()
        for key in ("paths", "strings", "email_strings"):
            value = table.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                problems.error(relpath, lines.get((tname, key)) or where, f"`{key}` must be a table of strings",
                               f'write it as `{key} = {{ name = "…" }}`')
                value = {}
            values[key] = MappingProxyType(dict(value))
        for word, value in values["paths"].items():
            if word not in PATH_WORDS:
                hint = did_you_mean(word, PATH_WORDS)
                problems.error(relpath, lines.get((tname, "paths")) or where, f"`paths`: unknown URL word {word!r}",
                               hint or f"known: {', '.join(sorted(PATH_WORDS))}")
            elif not _PATH_WORD_RE.match(value):
                problems.error(relpath, lines.get((tname, "paths")) or where,
                               f"`paths`: {value!r} is not one URL segment", "use a word without /, spaces or ?")
        out[code] = LangTexts(**values)
    return MappingProxyType(out)


# ---------------------------------------------------------------- palette


def default_palette(btype: str | None, name: str, texts: tuple[str, ...] = ()) -> dict[str, str]:
    """Primary and accent colours for a site that sets none: one of the curated palettes of its
    kind of business (config/palettes.py), the kind from ``btype`` or the site's own words."""
    from .palettes import palette_for

    palette = palette_for(btype if btype and btype != "LocalBusiness" else None, name, texts)
    return {"primary_color": palette.primary, "accent_color": palette.accent}


ThemeT = TypeVar("ThemeT", bound="DataclassInstance")


def with_palette(theme: ThemeT, theme_data: object, business: Business | None, name: str, texts: tuple[str, ...] = ()) -> ThemeT:
    """``theme`` with the palette's colours wherever [theme] sets none (an accent given alone
    keeps the palette's primary, and the other way round)."""
    import dataclasses

    given = theme_data if isinstance(theme_data, dict) else {}
    palette = default_palette(business.type if business else None, name, texts)
    missing = {k: v for k, v in palette.items() if k not in given}
    return dataclasses.replace(theme, **missing) if missing else theme


class _Tagline(Protocol):
    @property
    def tagline(self) -> str: ...


class SiteTexts(Protocol):
    """What the texts below read of a site's config (a SiteConfig, which site.py builds from this module)."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def languages(self) -> tuple[str, ...]: ...
    @property
    def lang_texts(self) -> Mapping[str, LangTexts]: ...
    @property
    def theme(self) -> _Tagline: ...


def text_for(cfg: SiteTexts, lang: str, key: str) -> str:
    """The site's ``name``, ``tagline`` or ``description`` in ``lang`` ([lang.<code>] first)."""
    own = cfg.lang_texts.get(lang)
    value = getattr(own, key, "") if own else ""
    if value:
        return value
    return {"name": cfg.name, "tagline": cfg.theme.tagline, "description": cfg.description}[key]


def path_word(cfg: SiteTexts, lang: str, word: str) -> str:
    """The URL word ``word`` (promotions, newsletter) in ``lang``."""
    own = cfg.lang_texts.get(lang)
    return (own.paths.get(word) if own else None) or PATH_WORDS[word]


def promo_words(cfg: SiteTexts) -> dict[str, str]:
    """{lang: the /promotions/ folder's name in that language}."""
    return {lang: path_word(cfg, lang, "promotions") for lang in cfg.languages}
