"""The curated colour palettes of sites that set no `[theme]` colours.

A site without `primary_color` gets one of a few hand-picked palettes of its kind of business:
a warm brown for a bakery, a wine red for a restaurant, a calm teal for a dental practice ...
The kind comes from `[business] type`, or else from the words the site uses for itself (its
name, tagline and description, in any of its languages: "Bäckerei", "zubní ordinace",
"Friseur"); a site that says nothing known gets the neutral palettes. Each kind keeps to its
own band of hues, so two clients of different kinds never share a hue; within a kind the
site's name picks the palette, so two bakeries need not look alike either.

Every palette is tested (tests/test_palettes.py): white text on the primary colour and the
banner text on the accent reach 4.5:1, no colour is neon (HSL saturation 0.65 at most for
the light accents), and the hues of different kinds stay apart.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    primary: str
    """The brand band (header, buttons): white text on it reaches 4.5:1."""
    accent: str
    """The banner's background: a light tone for near-black text."""


# kind -> palettes. The primaries' hues (OKLCH, degrees) per kind, at least 20 apart between kinds:
# restaurant 16, bakery 47, lodging 85, sport 122, garden 148, health 170, dental 209,
# trades 235, office 262, shop 289, neutral 318, salon 344.
PALETTES: dict[str, tuple[Palette, ...]] = {
    "restaurant": (Palette("#8c2635", "#f3c98b"), Palette("#7a2230", "#e9b9a3")),
    "bakery": (Palette("#7a3e1d", "#f0c36d"), Palette("#8a4a26", "#eec9a0")),
    "lodging": (Palette("#6e5417", "#e8d29a"), Palette("#5f4a18", "#dfcfa8")),
    "sport": (Palette("#4f5f1c", "#d9e2a8"), Palette("#46561a", "#e4d48f")),
    "garden": (Palette("#2f6b3a", "#e7cf8f"), Palette("#2b5f36", "#f0c9b6")),
    "health": (Palette("#1f6b55", "#bfe3d5"), Palette("#1d604e", "#e9d8a6")),
    "dental": (Palette("#0d6e7a", "#f2b8a0"), Palette("#136470", "#bfe0e4")),
    "trades": (Palette("#1a6080", "#f2c879"), Palette("#1f5d80", "#e9c08f")),
    "office": (Palette("#2a4a80", "#d6dcf0"), Palette("#2f477d", "#e7d3a3")),
    "shop": (Palette("#4b3a8c", "#e9c6a6"), Palette("#45347e", "#d9d0f0")),
    "neutral": (Palette("#5e4466", "#e6d6b8"), Palette("#56405e", "#dccfe0")),
    "salon": (Palette("#842d65", "#f0c4d6"), Palette("#7a2a5f", "#efd2b4")),
}

# schema.org types -> kind (a type not named here: its words below, else "neutral").
TYPE_KINDS = {
    **dict.fromkeys(("Restaurant", "FastFoodRestaurant", "BarOrPub", "Brewery", "Winery", "Distillery",
                     "FoodEstablishment", "NightClub"), "restaurant"),
    **dict.fromkeys(("Bakery", "CafeOrCoffeeShop", "IceCreamShop"), "bakery"),
    **dict.fromkeys(("LodgingBusiness", "Hotel", "Motel", "Hostel", "BedAndBreakfast", "Resort", "Campground",
                     "VacationRental", "SkiResort", "TravelAgency", "TouristInformationCenter"), "lodging"),
    **dict.fromkeys(("ExerciseGym", "HealthClub", "SportsClub", "SportsActivityLocation", "GolfCourse",
                     "BowlingAlley", "TennisComplex", "PublicSwimmingPool", "StadiumOrArena"), "sport"),
    **dict.fromkeys(("Florist", "GardenStore", "PetStore", "AnimalShelter"), "garden"),
    **dict.fromkeys(("Pharmacy", "Physiotherapy", "VeterinaryCare", "MedicalBusiness", "MedicalClinic",
                     "Physician", "IndividualPhysician", "PhysiciansOffice", "Optician", "Psychologist",
                     "Hospital", "CommunityHealth", "PrimaryCare", "Pediatric", "DietNutrition",
                     "Midwifery", "Nursing", "Optometric", "Podiatric", "Dermatology"), "health"),
    **dict.fromkeys(("Dentist",), "dental"),
    **dict.fromkeys(("HomeAndConstructionBusiness", "Electrician", "GeneralContractor", "HVACBusiness",
                     "HousePainter", "Locksmith", "MovingCompany", "Plumber", "RoofingContractor",
                     "AutomotiveBusiness", "AutoRepair", "AutoBodyShop", "AutoWash", "TireShop",
                     "MotorcycleRepair", "DryCleaningOrLaundry", "Tailor", "SelfStorage"), "trades"),
    **dict.fromkeys(("ProfessionalService", "LegalService", "Attorney", "Notary", "FinancialService",
                     "AccountingService", "InsuranceAgency", "RealEstateAgent", "EmploymentAgency",
                     "BankOrCreditUnion", "GovernmentOffice", "DrivingSchool", "Preschool", "ChildCare",
                     "Library"), "office"),
    **dict.fromkeys(("Store", "BikeStore", "BookStore", "ClothingStore", "ComputerStore", "ConvenienceStore",
                     "DepartmentStore", "ElectronicsStore", "FurnitureStore", "GroceryStore", "HardwareStore",
                     "HobbyShop", "HomeGoodsStore", "JewelryStore", "LiquorStore", "MensClothingStore",
                     "MobilePhoneStore", "MusicStore", "OfficeEquipmentStore", "OutletStore", "ShoeStore",
                     "SportingGoodsStore", "ToyStore", "WholesaleStore", "ShoppingCenter", "AutoDealer",
                     "AutoPartsStore", "MotorcycleDealer", "PawnShop"), "shop"),
    **dict.fromkeys(("HealthAndBeautyBusiness", "BeautySalon", "DaySpa", "HairSalon", "NailSalon",
                     "TattooParlor"), "salon"),
}

# Word stems a site uses for itself, per kind (lower case, accents kept; matched at a word's start).
# Checked in this order: "zahnarzt" before "arzt", "café" before "shop".
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dental", ("zahnarzt", "zahnärzt", "zahnmedizin", "zahnpraxis", "dental", "dentist", "zubní", "zubař",
                "stomatolog", "dentyst", "tandarts", "tandläkare", "dentaire", "dentista", "fogorvos")),
    ("bakery", ("bäckerei", "backstube", "konditorei", "bakery", "baker", "pekárn", "pekař", "cukrárn",
                "boulangerie", "pâtisserie", "panetteria", "panadería", "piekarnia", "bakkerij", "bageri",
                "café", "cafe", "kaffee", "kavárn", "coffee")),
    ("restaurant", ("restaurant", "gasthaus", "gaststätte", "wirtshaus", "bistro", "trattoria", "pizzeria",
                    "restaurace", "hospoda", "taverna", "brasserie", "ristorante", "restauracja", "weingut",
                    "winery", "brauerei", "pivovar", "kneipe", "bräu")),
    ("lodging", ("hotel", "pension", "gästehaus", "ferienwohnung", "penzion", "ubytování", "hostel",
                 "b&b", "guesthouse", "albergo", "reisebüro", "cestovní")),
    ("sport", ("fitness", "sportverein", "yoga", "pilates", "gym", "tělocvič", "posilovna", "tanzschule",
               "kampfsport", "sport")),
    ("garden", ("blumen", "florist", "gärtnerei", "garten", "květin", "zahradnic", "fleur", "fiori",
                "tierhandlung", "zoohandlung")),
    ("health", ("apotheke", "physiotherap", "praxis", "arzt", "ärzt", "heilpraktik", "tierarzt", "optiker",
                "lékárn", "ordinace", "fyzioterap", "veterin", "clinic", "klinik", "pharmacy", "physio",
                "optician", "therap", "pharmacie", "farmacia")),
    ("salon", ("friseur", "frisör", "kosmetik", "nagelstudio", "beauty", "salon", "kadeřnic", "kosmetik",
               "barber", "barbier", "coiffeur", "parrucchier", "tattoo")),
    ("trades", ("elektro", "sanitär", "installateur", "klempner", "tischlerei", "schreinerei", "malerbetrieb",
                "maler", "dachdecker", "handwerk", "werkstatt", "schlosserei", "elektrikář", "instalatér",
                "truhlář", "malíř", "autoservis", "plumb", "electric", "carpent", "roofing", "builder",
                "kfz", "autowerkstatt", "schneiderei", "reinigung")),
    ("office", ("kanzlei", "rechtsanwalt", "anwalt", "notar", "steuerberat", "versicherung", "immobilien",
                "advokát", "notář", "účetní", "daňov", "law", "lawyer", "attorney", "accountan", "insurance",
                "fahrschule", "autoškola", "kita", "büro", "consult", "beratung")),
    ("shop", ("laden", "shop", "geschäft", "buchhandlung", "boutique", "obchod", "knihkupectví", "store",
              "markt", "prodejna", "juwelier")),
)

_WORD_RE = re.compile(r"[^\W\d_][\w&'-]*", re.UNICODE)


def kind_of(btype: str | None, texts: tuple[str, ...] = ()) -> str:
    """The kind of business: from the schema.org ``btype`` when it says one, else from the first
    known word in ``texts`` (the site's name, tagline, descriptions), else ``neutral``."""
    if btype and btype in TYPE_KINDS:
        return TYPE_KINDS[btype]
    words = [w.lower() for text in texts for w in _WORD_RE.findall(text or "")]
    for kind, stems in KIND_WORDS:
        for stem in stems:
            if any(w.startswith(stem) for w in words):
                return kind
    return "neutral"


def palette_for(btype: str | None, name: str, texts: tuple[str, ...] = ()) -> Palette:
    """The palette of a site: its kind's palettes, one picked by a stable hash of its ``name``."""
    choices = PALETTES[kind_of(btype, (name, *texts))]
    index = int(hashlib.blake2b(name.encode(), digest_size=2).hexdigest(), 16) % len(choices)
    return choices[index]
