"""Published figures the demo is built around, and the hand-made shapes it draws on.

Kecamatan figures are BPS (area km², population mid-2019 estimate, centre lat/lon); the codes are
BPS kode wilayah (Kota Jakarta Barat = 3174). Everything geometric here (the city outline, roads,
places) is drawn by hand to look like West Jakarta: it is synthetic and labelled so.
"""
from __future__ import annotations

from dataclasses import dataclass

BPS_SOURCE = "BPS Kota Jakarta Barat (kode wilayah; area, population mid-2019)"
SYNTHETIC_SOURCE = "synthetic demo"
# The real boundaries' licence (CC BY-IGO 3.0) asks for this attribution wherever they are shown.
BOUNDARY_ATTRIBUTION = "BPS / OCHA, via HDX"
# Ends the name of a post whose position is an estimate, not a published point (the registry has no
# column for it; the dashboard says it in the reader's language).
APPROXIMATE_SUFFIX = "(perkiraan lokasi)"

REGION_NAME = "Jakarta Barat"
REGION_AREA_KM2 = (125.0, 130.0)       # BPS publishes 129.54 km²
REGION_RESIDENTS = 2_590_000
REGION_POLICE = 1_300                  # about 1 officer per 2,000 residents

# The programme's figures the demo reproduces.
DEFAULT_CAMERAS = 19_942
CONNECTED_PER_KECAMATAN = 15
SECURITY_POST_PERSONNEL = 1_858

# Metric CRS for Jakarta (UTM 48S).
METRIC_CRS = "EPSG:32748"
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str
    short: str          # three letters for call signs and post codes
    area_km2: float
    population: int
    lat: float
    lon: float


KECAMATAN: tuple[Kecamatan, ...] = (
    Kecamatan("3174010", "Kembangan", "KMB", 24.16, 334_115, -6.1984, 106.7418),
    Kecamatan("3174020", "Kebon Jeruk", "KBJ", 17.98, 383_168, -6.1895, 106.7690),
    Kecamatan("3174030", "Palmerah", "PLM", 7.51, 206_353, -6.1918, 106.7956),
    Kecamatan("3174040", "Grogol Petamburan", "GGP", 9.99, 241_564, -6.1634, 106.7864),
    Kecamatan("3174050", "Tambora", "TMB", 5.40, 241_889, -6.1474, 106.8034),
    Kecamatan("3174060", "Taman Sari", "TMS", 4.55, 110_252, -6.1483, 106.8183),
    Kecamatan("3174070", "Cengkareng", "CKG", 26.54, 601_156, -6.1523, 106.7363),
    Kecamatan("3174080", "Kalideres", "KLD", 30.23, 471_436, -6.1343, 106.7042),
)

# A coarse outline of the city drawn by hand (lon, lat), about 127 km². Not an official boundary.
CITY_OUTLINE: tuple[tuple[float, float], ...] = (
    (106.692, -6.101), (106.712, -6.098), (106.722, -6.110), (106.735, -6.122), (106.755, -6.134),
    (106.775, -6.143), (106.800, -6.141), (106.812, -6.128), (106.823, -6.132), (106.828, -6.160),
    (106.813, -6.166), (106.812, -6.189), (106.797, -6.209), (106.783, -6.208), (106.779, -6.226),
    (106.722, -6.224), (106.725, -6.196), (106.692, -6.173), (106.692, -6.130),
)

# Main streets per kecamatan, for plausible addresses.
STREETS: dict[str, tuple[str, ...]] = {
    "Kembangan": ("Jl. Meruya Ilir", "Jl. Kembangan Raya", "Jl. Puri Indah Raya", "Jl. Joglo Raya",
                  "Jl. Srengseng Raya", "Jl. Pesanggrahan"),
    "Kebon Jeruk": ("Jl. Panjang", "Jl. Raya Kebon Jeruk", "Jl. Kelapa Dua Raya", "Jl. Sulaiman",
                    "Jl. Duri Kepa Raya", "Jl. Arjuna Utara"),
    "Palmerah": ("Jl. Palmerah Barat", "Jl. Kemanggisan Raya", "Jl. Anggrek Cendrawasih",
                 "Jl. Kota Bambu Raya", "Jl. Slipi Raya"),
    "Grogol Petamburan": ("Jl. Tanjung Duren Raya", "Jl. Kyai Tapa", "Jl. Dr. Susilo", "Jl. Jelambar Baru",
                          "Jl. Tomang Raya", "Jl. Latumenten"),
    "Tambora": ("Jl. Pangeran Tubagus Angke", "Jl. Jembatan Lima", "Jl. Tambora Raya", "Jl. Krendang Raya",
                "Jl. Duri Raya"),
    "Taman Sari": ("Jl. Hayam Wuruk", "Jl. Gajah Mada", "Jl. Mangga Besar", "Jl. Pinangsia Raya",
                   "Jl. Kemenangan Raya"),
    "Cengkareng": ("Jl. Daan Mogot", "Jl. Kamal Raya", "Jl. Bangun Nusa Raya", "Jl. Kapuk Raya",
                   "Jl. Outer Ring Road", "Jl. Rawa Buaya"),
    "Kalideres": ("Jl. Daan Mogot", "Jl. Peta Selatan", "Jl. Kamal Raya", "Jl. Semanan Raya",
                  "Jl. Tegal Alur", "Jl. Pegadungan Raya"),
}

# Police: the Polres address is the one the programme lists; Polsek points are the kecamatan centres.
POLRES_NAME = "Polres Metro Jakarta Barat"
POLRES_ADDRESS = "Jl. Letjen S. Parman No. 31, Slipi, Palmerah, Jakarta Barat"
POLRES_LONLAT = (106.7972, -6.1895)
# Regular strength: about 1,300 officers in all, 500 at the Polres and 800 across the Polsek
# (split by population). The holiday security posts (1,858 in all) are staffed on top of that.
POLRES_PERSONNEL = 500
POLSEK_PERSONNEL_TOTAL = REGION_POLICE - POLRES_PERSONNEL


@dataclass(frozen=True)
class Place:
    """A point of interest: a market or hotspot, or a public space (hand-placed, approximate)."""
    name: str
    kind: str           # "market", "hotspot" or "public_space"
    lon: float
    lat: float
    radius_m: float


PLACES: tuple[Place, ...] = (
    Place("Kota Tua (Taman Fatahillah)", "hotspot", 106.8132, -6.1353, 150),
    Place("Glodok", "market", 106.8150, -6.1450, 180),
    Place("Pasar Pagi Asemka", "market", 106.8095, -6.1390, 120),
    Place("Pasar Jembatan Lima", "market", 106.8010, -6.1450, 100),
    Place("Central Park / Taman Anggrek", "hotspot", 106.7905, -6.1775, 160),
    Place("Pasar Grogol", "market", 106.7895, -6.1660, 100),
    Place("Stasiun Palmerah", "hotspot", 106.7975, -6.2075, 100),
    Place("Pasar Palmerah", "market", 106.7965, -6.2035, 100),
    Place("Pasar Kebon Jeruk", "market", 106.7705, -6.1920, 100),
    Place("Puri Indah", "hotspot", 106.7335, -6.1880, 180),
    Place("Pasar Meruya", "market", 106.7480, -6.1990, 90),
    Place("Pasar Cengkareng", "market", 106.7360, -6.1470, 120),
    Place("Terminal Kalideres", "hotspot", 106.7050, -6.1545, 150),
    Place("Pasar Kalideres", "market", 106.7070, -6.1500, 100),
    Place("Taman Cattleya", "public_space", 106.7925, -6.1760, 120),
    Place("Taman Menteng Jelambar", "public_space", 106.7855, -6.1490, 80),
    Place("RPTRA Kalijodo", "public_space", 106.7900, -6.1440, 110),
    Place("Hutan Kota Srengseng", "public_space", 106.7630, -6.2130, 200),
    Place("Taman Kembangan", "public_space", 106.7400, -6.1900, 100),
    Place("Alun-alun Kalideres", "public_space", 106.7000, -6.1380, 90),
)

# Holiday security posts (pos pengamanan): one per kecamatan at a crowded place, with their strength.
SECURITY_POSTS: tuple[tuple[str, str, int], ...] = (
    # (kecamatan, place name, personnel)
    ("Taman Sari", "Kota Tua (Taman Fatahillah)", 320),
    ("Tambora", "Pasar Jembatan Lima", 190),
    ("Grogol Petamburan", "Central Park / Taman Anggrek", 260),
    ("Palmerah", "Stasiun Palmerah", 210),
    ("Kebon Jeruk", "Pasar Kebon Jeruk", 180),
    ("Kembangan", "Puri Indah", 230),
    ("Cengkareng", "Pasar Cengkareng", 208),
    ("Kalideres", "Terminal Kalideres", 260),
)

# Main-road corridors drawn by hand (lon, lat) for the priority layer and roadside cameras.
ROADS: dict[str, tuple[tuple[float, float], ...]] = {
    "Jl. Daan Mogot": ((106.6895, -6.1560), (106.7200, -6.1530), (106.7500, -6.1540), (106.7700, -6.1580),
                       (106.7880, -6.1640)),
    "Jl. Letjen S. Parman": ((106.7890, -6.1640), (106.7930, -6.1760), (106.7975, -6.1880),
                             (106.8000, -6.2000)),
    "Jl. Hayam Wuruk / Gajah Mada": ((106.8180, -6.1300), (106.8190, -6.1450), (106.8200, -6.1640)),
    "Jl. Pangeran Tubagus Angke": ((106.7880, -6.1450), (106.7990, -6.1480), (106.8120, -6.1500)),
    "Jl. Kyai Tapa": ((106.7890, -6.1640), (106.7985, -6.1650), (106.8110, -6.1650)),
    "Jl. Panjang": ((106.7650, -6.2150), (106.7690, -6.1900), (106.7740, -6.1700), (106.7780, -6.1570)),
    "Jl. Lingkar Luar Barat": ((106.7350, -6.2200), (106.7340, -6.1900), (106.7330, -6.1600),
                               (106.7310, -6.1300)),
    "Jl. Kamal Raya": ((106.7220, -6.1530), (106.7200, -6.1300), (106.7150, -6.1120)),
    "Jl. Peta Selatan": ((106.6950, -6.1400), (106.7100, -6.1420), (106.7300, -6.1440)),
    "Jl. Meruya Ilir / Kembangan Raya": ((106.7400, -6.2150), (106.7450, -6.1950), (106.7420, -6.1700)),
    "Jl. Palmerah Barat": ((106.7850, -6.2050), (106.7960, -6.2060), (106.8060, -6.2040)),
    "Jl. Tanjung Duren Raya": ((106.7750, -6.1720), (106.7860, -6.1730), (106.7940, -6.1770)),
}
ROAD_HALF_WIDTH_M = 12.0
