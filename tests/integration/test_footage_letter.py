"""The printable request letter from a real footage request: Indonesian text, the right facts, and
registry text escaped."""
from datetime import UTC, datetime
from html.parser import HTMLParser

from db.footage import request_footage, request_row
from db.incidents import IncidentInput, create_incident
from db.models import Camera
from db.users import Actor
from geo.letter import letter_from_row, render_letter_html
from geo.vocabulary import Role
from tests.support.ops_registry import POINT, seed_registry

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
EVENT = datetime(2026, 11, 21, 15, 15, tzinfo=UTC)  # 22.15 WIB
COMMANDER = Actor("budi", Role.COMMANDER, "AKP Budi Santoso")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def _letter(session_factory, camera_code, camera_name=None):
    with session_factory.begin() as s:
        seed_registry(s)
        if camera_name:
            s.query(Camera).filter_by(code=camera_code).update({"name": camera_name})
        code = create_incident(s, COMMANDER, IncidentInput(EVENT, "robbery", lon=POINT[0], lat=POINT[1]),
                               now=NOW).code
        rid = request_footage(s, COMMANDER, code, [camera_code], now=NOW).created[0].id
    with session_factory() as s:
        row = request_row(s, COMMANDER, rid, now=NOW)
    return code, rid, render_letter_html(letter_from_row(row, COMMANDER.display_name, NOW))


def test_letter_names_owner_camera_window_case_and_deadline_in_indonesian(session_factory):
    code, rid, html = _letter(session_factory, "CAM-WEEK")
    assert html.startswith("<!DOCTYPE html>") and 'lang="id"' in html
    assert "Permohonan salinan rekaman kamera CCTV" in html
    assert f"Nomor: {code}/RKM-{rid:05d}" in html
    assert "Toko =Maju" in html and "Jl. Panjang 1" in html
    assert "CAM-WEEK" in html and "Toko gate" in html
    assert "perampokan" in html
    assert "21 November 2026, 22.15 WIB" in html                       # event, in WIB
    assert "21 November 2026, 21.45 WIB s.d.\n21 November 2026, 22.45 WIB" in html  # the window
    assert "28 November 2026, 22.15 WIB" in html                       # event + 7 days of DVR
    assert "Polsek Kebon Jeruk" in html and "AKP Budi Santoso" in html


def test_registry_markup_is_escaped(session_factory):
    _, _, html = _letter(session_factory, "CAM-TWO", camera_name="<img src=x onerror=alert(1)>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "RT 05 &lt;b&gt;Duri&lt;/b&gt;" in html
    parser = _Tags()
    parser.feed(html)
    assert "img" not in parser.tags and "b" not in parser.tags


def test_unknown_retention_asks_to_copy_at_once(session_factory):
    _, _, html = _letter(session_factory, "CAM-UNK")
    assert "tidak diketahui" in html and "segera disalin" in html


def test_a_letter_made_with_an_upload_link_carries_it_as_text_and_qr_code(session_factory):
    import dataclasses

    import segno

    with session_factory.begin() as s:
        seed_registry(s)
        code = create_incident(s, COMMANDER, IncidentInput(EVENT, "robbery", lon=POINT[0], lat=POINT[1]),
                               now=NOW).code
        rid = request_footage(s, COMMANDER, code, ["CAM-WEEK"], now=NOW).created[0].id
    with session_factory() as s:
        row = request_row(s, COMMANDER, rid, now=NOW)
    url = "https://rekaman.example/intake/Abc-_123&x"
    plain = letter_from_row(row, COMMANDER.display_name, NOW)
    html = render_letter_html(dataclasses.replace(plain, upload_url=url,
                                                  upload_expires=datetime(2026, 11, 25, 3, 0, tzinfo=UTC)))
    assert "https://rekaman.example/intake/Abc-_123&amp;x" in html           # escaped text
    assert segno.make(url, error="m").svg_inline(scale=3, border=2) in html  # the QR code of this very link
    assert segno.make(url + "x", error="m").svg_inline(scale=3, border=2) not in html
    assert "berlaku sampai 25 November 2026, 10.00 WIB" in html
    assert "/intake/" not in render_letter_html(plain)                      # no link: no paragraph


def test_the_letter_is_signed_with_name_rank_and_nrp(session_factory):
    from db.users import UserError, add_user, set_identity, signature_of

    with session_factory.begin() as s:
        add_user(s, "cli:test", "budi", "commander", "a long password 1", "Budi Santoso", "AKP", "8705 1234")
    with session_factory() as s:
        signer = signature_of(s, "budi")
    assert (signer.name, signer.rank, signer.nrp) == ("Budi Santoso", "AKP", "87051234")
    _, _, plain = _letter(session_factory, "CAM-WEEK")
    with session_factory() as s:
        from sqlalchemy import select as _select

        from db.footage import request_row
        from db.models_ops import FootageRequest

        rid = s.scalar(_select(FootageRequest.id))
        row = request_row(s, COMMANDER, rid, now=NOW)
    html = render_letter_html(letter_from_row(row, signer.name, NOW, signer.rank, signer.nrp))
    assert "AKP Budi Santoso<br>NRP 87051234" in html
    assert "NRP" not in plain.split("Hormat kami", 1)[1].split("</div>", 1)[0]   # no NRP known: none printed
    with session_factory.begin() as s:
        for bad in ("1234", "ABCDEFGH", "123456789"):
            try:
                set_identity(s, "cli:test", "budi", "Budi", "AKP", bad)
            except UserError as exc:
                assert exc.code == "bad_nrp"
            else:
                raise AssertionError(f"NRP {bad!r} accepted")
