"""The printable footage request letter (HTML print view), always in Bahasa Indonesia.

The letter is an official document addressed to a camera owner in Jakarta, so its text is fixed in
Bahasa Indonesia whatever the dashboard language; only the buttons around it follow the catalogue.
Every value that comes from the registry or from users is HTML-escaped. Pure (babel and html): the
dashboard's print view and the case bundle (db/case_bundle.py) render the same letter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

WIB = ZoneInfo("Asia/Jakarta")

CATEGORY_ID = {"theft": "pencurian", "robbery": "perampokan", "assault": "penganiayaan", "brawl": "tawuran",
               "traffic_accident": "kecelakaan lalu lintas", "fire": "kebakaran", "flood": "banjir",
               "vandalism": "perusakan", "suspicious": "aktivitas mencurigakan",
               "missing_person": "orang hilang", "other": "kejadian lain"}


@dataclass(frozen=True)
class LetterData:
    request_id: int
    case_code: str
    category: str
    event_time: datetime
    camera_code: str
    camera_name: str
    owner_name: str
    owner_address: str | None
    window_start: datetime
    window_end: datetime
    deadline: datetime | None
    polsek_name: str | None
    officer: str
    issued_at: datetime
    upload_url: str | None = None          # the owner's upload link, when one was made with this letter
    upload_expires: datetime | None = None
    officer_rank: str | None = None        # pangkat, written before the name
    officer_nrp: str | None = None


def letter_from_row(row, officer: str, issued_at: datetime, rank: str | None = None,
                    nrp: str | None = None) -> LetterData:
    """Build the letter from a db.footage.QueueRow, signed by ``officer`` (with rank and NRP if known)."""
    return LetterData(row.id, row.incident_code, row.incident_category, row.event_time, row.camera_code or "-",
                      row.camera_name or "-", row.owner_name or "-", row.owner_address, row.window_start,
                      row.window_end, row.deadline, row.polsek_name, officer, issued_at, officer_rank=rank,
                      officer_nrp=nrp)


def _when(moment: datetime | None, pattern: str = "d MMMM y, HH.mm") -> str:
    if moment is None:
        return "tidak diketahui"
    return format_datetime(moment.astimezone(WIB), pattern, tzinfo=WIB, locale="id") + " WIB"


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


_STYLE = """
body { font-family: 'Times New Roman', serif; font-size: 12pt; max-width: 18cm; margin: 1.5cm auto; color: #000; }
h1 { font-size: 13pt; text-align: center; margin: 0; } h2 { font-size: 12pt; text-align: center; margin: 0 0 1em; }
table.detail { border-collapse: collapse; margin: 1em 0; } table.detail td { padding: 2px 8px; vertical-align: top; }
.sign { margin-top: 3em; } .deadline { font-weight: bold; }
.upload { display: inline-block; width: 72%; vertical-align: top; }
.qr { display: inline-block; width: 26%; text-align: right; }
.url { font-family: monospace; font-size: 10pt; word-break: break-all; }
@media print { .no-print { display: none; } body { margin: 0 auto; } }
"""


def _deadline_paragraph(data: LetterData) -> str:
    if data.deadline is None:
        return ("<p class=\"deadline\">Masa simpan rekaman perekam (DVR) kamera tersebut tidak diketahui. "
                "Mohon rekaman segera disalin sebelum tertimpa oleh rekaman baru.</p>")
    return (f"<p class=\"deadline\">Rekaman pada perekam (DVR) kamera tersebut diperkirakan akan tertimpa "
            f"pada {_e(_when(data.deadline))}. Mohon rekaman disalin sebelum waktu tersebut.</p>")


def _signature(data: LetterData) -> str:
    """``AKP Budi Santoso`` over ``NRP 12345678`` (rank and NRP when the account has them)."""
    name = " ".join(part for part in (data.officer_rank, data.officer) if part)
    return _e(name) + (f"<br>NRP {_e(data.officer_nrp)}" if data.officer_nrp else "")


def _upload_paragraph(data: LetterData) -> str:
    """The owner's upload link as text and as a QR code to scan with a phone (segno: SVG, no network)."""
    if not data.upload_url:
        return ""
    import segno

    qr = segno.make(data.upload_url, error="m").svg_inline(scale=3, border=2)
    return (f"<div class=\"upload\"><p>Rekaman juga dapat dikirim langsung dari ponsel atau komputer tanpa "
            f"mendaftar: pindai kode QR di samping atau buka alamat berikut. Tautan ini hanya untuk "
            f"permintaan ini dan berlaku sampai {_e(_when(data.upload_expires))}.</p>"
            f"<p class=\"url\">{_e(data.upload_url)}</p></div><div class=\"qr\">{qr}</div>")


def render_letter_html(data: LetterData) -> str:
    """A complete, self-contained HTML page ready to print (or save as PDF from the browser)."""
    station = data.polsek_name or "Kepolisian Sektor"
    category = CATEGORY_ID.get(data.category, data.category)
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Permohonan Rekaman CCTV {_e(data.case_code)}</title>
<style>{_STYLE}</style></head><body>
<h1>KEPOLISIAN NEGARA REPUBLIK INDONESIA</h1>
<h2>{_e(station)}</h2>
<p>Nomor: {_e(data.case_code)}/RKM-{data.request_id:05d}<br>
Perihal: Permohonan salinan rekaman kamera CCTV<br>
Tanggal: {_e(_when(data.issued_at, "d MMMM y"))}</p>
<p>Kepada Yth.<br>{_e(data.owner_name)}<br>{_e(data.owner_address or "")}</p>
<p>Dengan hormat,</p>
<p>Sehubungan dengan penanganan kejadian {_e(category)} dengan nomor perkara
<strong>{_e(data.case_code)}</strong> pada {_e(_when(data.event_time))}, kami mohon bantuan
Bapak/Ibu untuk menyerahkan salinan rekaman dari kamera CCTV berikut:</p>
<table class="detail">
<tr><td>Kode kamera</td><td>:</td><td>{_e(data.camera_code)}</td></tr>
<tr><td>Nama / lokasi kamera</td><td>:</td><td>{_e(data.camera_name)}</td></tr>
<tr><td>Rentang waktu rekaman</td><td>:</td><td>{_e(_when(data.window_start))} s.d.
{_e(_when(data.window_end))}</td></tr>
<tr><td>Nomor perkara</td><td>:</td><td>{_e(data.case_code)}</td></tr>
</table>
{_deadline_paragraph(data)}
<p>Rekaman dapat diserahkan dalam bentuk salinan berkas (misalnya pada flashdisk) kepada petugas
{_e(station)}. Rekaman hanya digunakan untuk keperluan penyelidikan perkara tersebut.</p>
{_upload_paragraph(data)}
<p>Atas perhatian dan kerja sama Bapak/Ibu, kami ucapkan terima kasih.</p>
<div class="sign">Hormat kami,<br><br><br>{_signature(data)}<br>{_e(station)}</div>
<p class="no-print"><button onclick="window.print()">Cetak</button></p>
</body></html>
"""
