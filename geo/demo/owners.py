"""Who owns the demo's cameras: a class per camera, then owners holding nearby cameras.

Private residents and housing estates (RT/RW, perumahan) own most cameras; companies and government
offices fewer, more of them on main roads. An owner's cameras are neighbours: cameras of one class are
ordered by kecamatan and 250 m grid square, then cut into runs whose lengths follow the class's
typical camera count per owner.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.vocabulary import OwnerClass

OWNER_CLASSES = (OwnerClass.GOVERNMENT, OwnerClass.COMPANY, OwnerClass.HOUSING, OwnerClass.PRIVATE)
# Class shares for cameras along main roads and elsewhere (same order as OWNER_CLASSES).
ROADSIDE_SHARES = np.array([0.20, 0.35, 0.15, 0.30])
ELSEWHERE_SHARES = np.array([0.04, 0.18, 0.36, 0.42])
CAMERAS_PER_OWNER = {OwnerClass.GOVERNMENT: 12.0, OwnerClass.COMPANY: 5.0, OwnerClass.HOUSING: 4.0,
                     OwnerClass.PRIVATE: 1.3}
GRID_M = 250.0
OWNER_COLUMNS = ["code", "name", "owner_class", "phone", "email", "address"]

_AGENCIES = ("Kantor Kecamatan", "Kantor Kelurahan", "Suku Dinas Perhubungan", "Satpol PP", "Puskesmas",
             "Suku Dinas Bina Marga", "SDN", "Kantor Pos")
_COMPANY_FORMS = ("PT", "PT", "CV", "Toko", "Minimarket", "Hotel", "Ruko")
_COMPANY_WORDS = ("Maju", "Jaya", "Sentosa", "Makmur", "Abadi", "Sejahtera", "Mandiri", "Prima", "Sinar",
                  "Karya", "Cahaya", "Mulia", "Bersama", "Utama", "Baru", "Indah")
_ESTATES = ("Perumahan", "Komplek", "Apartemen", "Cluster")
_FIRST = ("Budi", "Siti", "Agus", "Dewi", "Hendra", "Rina", "Joko", "Ani", "Rudi", "Lina", "Andi", "Yanti",
          "Wawan", "Sri", "Eko", "Fitri", "Hadi", "Maya", "Iwan", "Nur", "Tono", "Wati", "Ahmad", "Lestari")
_LAST = ("Santoso", "Wijaya", "Hartono", "Setiawan", "Kurniawan", "Susanto", "Gunawan", "Halim",
         "Saputra", "Pratama", "Hidayat", "Nugroho", "Siregar", "Tanjung", "Lubis", "Salim")


def draw_owner_classes(on_road: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An index into OWNER_CLASSES per camera."""
    u = rng.random(len(on_road))
    cumulative = np.where(on_road[:, None], np.cumsum(ROADSIDE_SHARES), np.cumsum(ELSEWHERE_SHARES))
    return np.minimum((u[:, None] > cumulative).sum(axis=1), len(OWNER_CLASSES) - 1)


def group_owners(class_index: np.ndarray, kecamatan_index: np.ndarray, x: np.ndarray, y: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """An owner number per camera, and (class index, first camera) per owner, in owner order."""
    owner_of = np.empty(len(class_index), dtype=np.int64)
    owners: list[tuple[int, int]] = []
    cell = np.floor(y / GRID_M) * 1e6 + np.floor(x / GRID_M)
    for c, owner_class in enumerate(OWNER_CLASSES):
        members = np.flatnonzero(class_index == c)
        if not len(members):
            continue
        members = members[np.lexsort((members, cell[members], kecamatan_index[members]))]
        sizes = _run_lengths(len(members), CAMERAS_PER_OWNER[owner_class], rng)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        first_owner = len(owners)
        owner_of[members] = first_owner + np.repeat(np.arange(len(sizes)), sizes)
        owners.extend((c, int(members[s])) for s in starts)
    return owner_of, owners


def _run_lengths(total: int, mean: float, rng: np.random.Generator) -> np.ndarray:
    """Positive run lengths with the given mean (geometric), summing to ``total``."""
    sizes = rng.geometric(1.0 / mean, size=int(total / mean) + 8)
    while sizes.sum() < total:
        sizes = np.concatenate([sizes, rng.geometric(1.0 / mean, size=8)])
    cut = np.cumsum(sizes)
    last = int(np.searchsorted(cut, total))
    sizes = sizes[:last + 1].copy()
    sizes[-1] -= int(cut[last] - total)
    return sizes[sizes > 0]


def owners_frame(owners: list[tuple[int, int]], kecamatan_names: np.ndarray, addresses: np.ndarray,
                 rng: np.random.Generator) -> pd.DataFrame:
    """One row per owner: code, a plausible name per class, synthetic contact details."""
    count = len(owners)
    classes = np.array([c for c, _ in owners], dtype=int)
    first = np.array([f for _, f in owners], dtype=int)
    numbers = np.arange(1, count + 1)
    letters = np.array([oc.value[0].upper() for oc in OWNER_CLASSES], dtype=object)[classes]
    codes = "OWN-" + letters + _zero_padded(numbers, 6)
    names = owner_names(classes, kecamatan_names[first].astype(object), rng.integers(0, 1 << 30, (count, 4)))
    no_email = (classes == OWNER_CLASSES.index(OwnerClass.PRIVATE)) & (rng.random(count) < 0.6)
    mailbox = "cctv." + np.char.lower(codes.astype(str)).astype(object) + "@demo.example"
    owner_classes = np.array([oc.value for oc in OWNER_CLASSES], dtype=object)[classes]
    return pd.DataFrame({"code": codes, "name": names, "owner_class": owner_classes,
                         "phone": "+62 000 " + _zero_padded(numbers, 7),
                         "email": np.where(no_email, None, mailbox),  # type: ignore[call-overload]  # numpy stubs reject None as an object-array operand
                         "address": addresses[first].astype(str)}, columns=OWNER_COLUMNS)


def owner_names(classes: np.ndarray, kecamatan: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """A plausible name per owner from four random integers each, built column-wise."""
    a, b, c, d = picks.T
    names = np.empty(len(classes), dtype=object)
    word_b, word_c = _choose(_COMPANY_WORDS, b), _choose(_COMPANY_WORDS, c)
    rt_rw = "RT " + _zero_padded(a % 15 + 1, 3) + "/RW " + _zero_padded(b % 12 + 1, 3) + " " + kecamatan
    by_class = {
        OwnerClass.GOVERNMENT: _choose(_AGENCIES, a) + " " + kecamatan,
        OwnerClass.COMPANY: _choose(_COMPANY_FORMS, a) + " " + word_b + " " + word_c,
        OwnerClass.HOUSING: np.where(d % 10 < 6, rt_rw, _choose(_ESTATES, a) + " " + word_b + " " + word_c),
        OwnerClass.PRIVATE: _choose(_FIRST, a) + " " + _choose(_LAST, b),
    }
    for index, owner_class in enumerate(OWNER_CLASSES):
        where = classes == index
        names[where] = by_class[owner_class][where]
    return names


def _choose(options: tuple[str, ...], values: np.ndarray) -> np.ndarray:
    return np.asarray(options, dtype=object)[values % len(options)]


def _zero_padded(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(np.asarray(values).astype(str), width).astype(object)
