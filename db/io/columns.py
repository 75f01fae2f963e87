"""Column names the importer understands: canonical names per record type and their aliases.

Headers are matched case-insensitively after trimming, dropping bracketed units ("Range (m)") and
turning spaces and hyphens into underscores. Indonesian and common English spellings are aliases.
"""
from __future__ import annotations

import re

CAMERAS, OWNERS, POSTS, DUTY_UNITS = "cameras", "owners", "posts", "duty-units"

CANONICAL: dict[str, list[str]] = {
    CAMERAS: ["code", "name", "lon", "lat", "address", "owner", "owner_code", "owner_class", "owner_phone",
              "owner_email", "kind", "bearing_deg", "fov_deg", "range_m", "height_m", "bearing_adjustable",
              "connection", "consent", "consent_signed_on", "consent_expires_on", "dvr_retention_days",
              "sticker_installed", "stream_url", "notes", "registered_by", "surveillance_type"],
    OWNERS: ["code", "name", "owner_class", "phone", "email", "address"],
    POSTS: ["code", "kind", "name", "address", "lon", "lat", "personnel"],
    DUTY_UNITS: ["callsign", "post_code", "headcount", "shift_start", "shift_end", "last_lon", "last_lat",
                 "last_seen_at"],
}

_COMMON = {
    "code": ["kode", "ref"],
    "name": ["nama"],
    "lon": ["longitude", "long", "lng", "bujur", "x"],
    "lat": ["latitude", "lintang", "y"],
    "address": ["alamat", "addr", "addr:full"],
}

_SPECIFIC: dict[str, dict[str, list[str]]] = {
    CAMERAS: {
        "code": ["kode_kamera", "camera_code", "id_kamera"],
        "name": ["nama_kamera", "camera_name"],
        "owner": ["pemilik", "nama_pemilik", "owner_name", "operator"],
        "owner_code": ["kode_pemilik"],
        "owner_class": ["kelas_pemilik", "jenis_pemilik", "kategori_pemilik", "owner_type"],
        "owner_phone": ["telepon_pemilik", "hp_pemilik", "telp_pemilik"],
        "owner_email": ["email_pemilik"],
        "kind": ["jenis", "tipe", "type", "camera_type", "jenis_kamera", "camera:type"],
        "bearing_deg": ["arah", "bearing", "direction", "heading", "azimuth", "camera:direction"],
        "fov_deg": ["sudut", "fov", "field_of_view", "sudut_pandang"],
        "range_m": ["jangkauan", "range", "jarak"],
        "height_m": ["tinggi", "height"],
        "bearing_adjustable": ["dapat_diputar", "adjustable", "arah_dapat_diubah"],
        "connection": ["status", "koneksi", "status_koneksi"],
        "consent": ["persetujuan", "consent_level", "tingkat_persetujuan"],
        "consent_signed_on": ["tanggal_persetujuan", "tgl_persetujuan", "consent_signed"],
        "consent_expires_on": ["berlaku_sampai", "persetujuan_berakhir", "consent_expires"],
        "dvr_retention_days": ["retensi", "retensi_hari", "retention_days", "retention"],
        "sticker_installed": ["stiker", "sticker", "stiker_terpasang"],
        "stream_url": ["url_stream", "stream", "rtsp", "rtsp_url"],
        "notes": ["catatan", "keterangan", "note"],
        "registered_by": ["didaftarkan_oleh", "petugas", "pendaftar"],
        "surveillance_type": ["surveillance:type"],
    },
    OWNERS: {
        "owner_class": ["kelas", "jenis", "class", "kategori", "type", "tipe", "kelas_pemilik"],
        "name": ["pemilik", "nama_pemilik", "owner", "owner_name"],
        "code": ["kode_pemilik", "owner_code"],
        "phone": ["telepon", "telp", "hp", "no_hp", "nomor_telepon", "kontak"],
        "email": ["surel", "e_mail"],
    },
    POSTS: {
        "code": ["kode_pos", "post_code"],
        "name": ["nama_pos", "post_name"],
        "kind": ["jenis", "tipe", "type", "jenis_pos"],
        "personnel": ["personel", "jumlah_personel", "anggota", "jumlah_anggota"],
    },
    DUTY_UNITS: {
        "callsign": ["panggilan", "kode_panggilan", "call_sign", "code", "kode"],
        "post_code": ["pos", "kode_pos", "post"],
        "headcount": ["jumlah", "personel", "jumlah_personel"],
        "shift_start": ["mulai", "shift_mulai", "mulai_dinas"],
        "shift_end": ["selesai", "shift_selesai", "selesai_dinas"],
        "last_lon": ["bujur_terakhir", "lon", "longitude"],
        "last_lat": ["lintang_terakhir", "lat", "latitude"],
        "last_seen_at": ["terakhir_terlihat", "waktu_terakhir"],
    },
}


class ColumnError(ValueError):
    """The file's header cannot be mapped (for example two columns mean the same field)."""


def normalise_header(raw: object) -> str:
    text = str(raw).replace("\ufeff", "").strip().lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text).strip()
    return re.sub(r"[\s\-/.]+", "_", text).strip("_")


def alias_map(kind: str) -> dict[str, str]:
    """Every accepted header (normalised) -> canonical column, for one record type."""
    canonical = CANONICAL[kind]
    mapping = {name: name for name in canonical}
    for table in (_SPECIFIC.get(kind, {}), _COMMON):
        for target, aliases in table.items():
            if target not in canonical:
                continue
            for alias in aliases:
                mapping.setdefault(normalise_header(alias), target)
    return mapping


SHAPEFILE_FIELD_LENGTH = 10


def _shapefile_truncated(name: str, aliases: dict[str, str]) -> str | None:
    """Shapefiles cut field names to 10 characters: 'kelas_pemi' still means owner_class."""
    if len(name) != SHAPEFILE_FIELD_LENGTH:
        return None
    targets = {target for alias, target in aliases.items() if alias.startswith(name)}
    return targets.pop() if len(targets) == 1 else None


def map_headers(headers: list[str], kind: str) -> tuple[dict[str, str], list[str]]:
    """Original header -> canonical name for the ones understood, plus the ignored ones."""
    aliases = alias_map(kind)
    mapped: dict[str, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for header in headers:
        target = aliases.get(normalise_header(header)) or _shapefile_truncated(normalise_header(header), aliases)
        if target is None:
            ignored.append(str(header))
            continue
        if target in seen:
            raise ColumnError(f"columns '{seen[target]}' and '{header}' both mean '{target}'; keep one of them")
        seen[target] = str(header)
        mapped[str(header)] = target
    if "code" in CANONICAL[kind] and "code" not in seen and "id" in [normalise_header(h) for h in ignored]:
        original = next(h for h in ignored if normalise_header(h) == "id")
        ignored.remove(original)
        mapped[original] = "code"
    return mapped, ignored
