"""A tiny registry for the operations tests: one kecamatan with one kelurahan, a Polsek, a security
post, owners and cameras with different DVR retentions, written through the ORM."""
from __future__ import annotations

import shapely

from db.models import Camera, District, Owner, Post
from geo.vocabulary import CameraKind, Connection, ConsentLevel, DistrictLevel, OwnerClass, PostKind

POINT = (106.7500, -6.1700)  # the incident point; cameras below look at it


def seed_registry(session) -> dict[str, int]:
    kec = District(code="K1", name="Kebon Jeruk", level=DistrictLevel.KECAMATAN,
                   geometry_wkb=shapely.to_wkb(shapely.box(106.70, -6.22, 106.80, -6.12)))
    kec2 = District(code="K2", name="Kembangan", level=DistrictLevel.KECAMATAN,
                    geometry_wkb=shapely.to_wkb(shapely.box(106.60, -6.22, 106.70, -6.12)))
    session.add_all([kec, kec2])
    session.flush()
    kel = District(code="K1-L1", name="Duri Kepa", level=DistrictLevel.KELURAHAN, parent_id=kec.id,
                   geometry_wkb=shapely.to_wkb(shapely.box(106.74, -6.18, 106.76, -6.16)))
    session.add(kel)
    session.flush()
    polsek = Post(code="PS-KJ", kind=PostKind.POLSEK, name="Polsek Kebon Jeruk", lon=106.752, lat=-6.172,
                  district_id=kel.id, personnel=60)
    polsek2 = Post(code="PS-KB", kind=PostKind.POLSEK, name="Polsek Kembangan", lon=106.65, lat=-6.17,
                   district_id=kec2.id, personnel=50)
    pos = Post(code="POS-1", kind=PostKind.SECURITY_POST, name="Pos <Duri>", lon=106.7505, lat=-6.1702,
               district_id=kel.id, personnel=4)
    owners = [Owner(code="O-SHOP", name="Toko =Maju", owner_class=OwnerClass.COMPANY, phone="+62 811 111",
                    email="maju@example.id", address="Jl. Panjang 1"),
              Owner(code="O-RT", name="RT 05 <b>Duri</b>", owner_class=OwnerClass.HOUSING, phone="0812 222")]
    session.add_all([polsek, polsek2, pos, *owners])
    session.flush()
    x, y = POINT
    cams = [
        Camera(code="CAM-WEEK", name="Toko gate", lon=x, lat=y - 0.0002, bearing_deg=0, fov_deg=90, range_m=40,
               kind=CameraKind.FIXED, owner_id=owners[0].id, district_id=kel.id, dvr_retention_days=7,
               connection=Connection.REGISTERED, consent=ConsentLevel.ON_REQUEST),
        Camera(code="CAM-TWO", name="RT corner", lon=x + 0.0002, lat=y, bearing_deg=270, fov_deg=90, range_m=40,
               kind=CameraKind.FIXED, owner_id=owners[1].id, district_id=kel.id, dvr_retention_days=2),
        Camera(code="CAM-UNK", name="RT alley", lon=x - 0.0002, lat=y, kind=CameraKind.DOME,
               owner_id=owners[1].id, district_id=kec.id, dvr_retention_days=None),
        Camera(code="CAM-NOOWNER", name="Orphan", lon=x, lat=y + 0.0002, kind=CameraKind.DOME,
               district_id=kel.id, dvr_retention_days=5),
        Camera(code="CAM-FAR", name="Far away", lon=106.65, lat=-6.17, kind=CameraKind.DOME,
               owner_id=owners[0].id, district_id=kec2.id, dvr_retention_days=14),
        Camera(code="CAM-LIVE", name="Junction", lon=x, lat=y - 0.0001, bearing_deg=0, fov_deg=90, range_m=40,
               owner_id=owners[0].id, district_id=kel.id, connection=Connection.CONNECTED,
               consent=ConsentLevel.LIVE, dvr_retention_days=30, stream_url="rtsp://u:secret@10.0.0.9/s"),
    ]
    session.add_all(cams)
    session.flush()
    return {c.code: c.id for c in cams} | {"kel": kel.id, "kec": kec.id}
