"""Consent changes made by an import (or the registry form, which imports one row) land in the audit
ledger in the same transaction, one event per camera whose consent moved; new cameras and unchanged
rows write none; an import that fails validation writes none."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from db.io.pipeline import ImportOptions, import_records
from db.models import AuditEvent

JB_BBOX = (106.64, -6.26, 106.86, -6.08)
HEADER = "code,name,lat,lon,owner,owner_class,consent,consent_expires_on\n"


def _import(session_factory, tmp_path: Path, rows: list[str], name: str = "c.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    options = ImportOptions(region_bbox=JB_BBOX, region_name="Jakarta Barat", actor="ani")
    return import_records(session_factory, "cameras", path, options)


def _changes(session_factory) -> list[tuple]:
    with session_factory() as s:
        return [(e.actor, e.target, e.detail["kind"], e.detail["from"], e.detail["to"], e.detail["expires_to"])
                for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "consent_change")
                                   .order_by(AuditEvent.id))]


def test_consent_changes_are_recorded_per_camera(session_factory, tmp_path):
    first = ["K1,Toko A,-6.1890,106.7978,Toko A,company,live,2027-06-30\n",
             "K2,Toko B,-6.1523,106.7363,Toko B,company,on_request,\n",
             "K3,Rumah C,-6.1600,106.7400,Pak C,resident,live,2027-01-31\n",
             "K4,Rumah D,-6.1610,106.7410,Bu D,resident,live,2027-01-31\n"]
    assert _import(session_factory, tmp_path, first).written
    assert _changes(session_factory) == []                      # registrations are not changes
    second = ["K1,Toko A,-6.1890,106.7978,Toko A,company,on_request,2027-06-30\n",   # withdrawn from live
              "K2,Toko B,-6.1523,106.7363,Toko B,company,live,2027-12-31\n",         # raised
              "K3,Rumah C,-6.1600,106.7400,Pak C,resident,live,2027-07-31\n",        # renewed
              "K4,Rumah D,-6.1610,106.7410,Bu D,resident,live,2027-01-31\n",         # unchanged
              "K5,Baru,-6.1620,106.7420,Baru,resident,live,2027-01-31\n"]            # new
    outcome = _import(session_factory, tmp_path, second)
    assert outcome.written and outcome.consent_changes == 3
    assert _changes(session_factory) == [("ani", "K1", "lowered", "live", "on_request", "2027-06-30"),
                                         ("ani", "K2", "raised", "on_request", "live", "2027-12-31"),
                                         ("ani", "K3", "extended", "live", "live", "2027-07-31")]


def test_a_refused_import_records_no_consent_change(session_factory, tmp_path):
    assert _import(session_factory, tmp_path, ["K1,Toko A,-6.1890,106.7978,Toko A,company,live,2027-06-30\n"]).written
    bad = ["K1,Toko A,-6.1890,106.7978,Toko A,company,registry_only,\n",
           "K9,Luar,-7.5,110.0,Luar,company,live,2027-06-30\n"]                    # outside the region
    outcome = _import(session_factory, tmp_path, bad)
    assert not outcome.written
    assert _changes(session_factory) == []
