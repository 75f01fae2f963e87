"""Write a generated demo (geo.demo.DemoData) to the database through the bulk writers.

The caller owns the transaction: ``load_demo`` upserts everything by code in the open session and
never commits, so a failure leaves nothing half-written. Districts of cameras and posts are set by
the spatial join in ``assign_districts``, exactly as after a real import.

The demo brings its own districts (the real West Jakarta ones by default, or synthetic ones). When the
database already holds districts imported from elsewhere (not synthetic, and from another source than
the demo's), the demo keeps them and writes none of its own, so its cameras and posts are assigned to
the imported districts (then the 15-per-kecamatan split holds only approximately). When it writes its
own, synthetic districts left by an earlier demo that it does not redraw are removed, so switching the
demo's geography leaves no stale cells behind.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session, aliased

from db.io.writers import (
    WriteSummary,
    assign_districts,
    replace_layer,
    upsert_cameras,
    upsert_districts,
    upsert_duty_units,
    upsert_owners,
    upsert_posts,
)
from db.models import Camera, District, DutyUnit, Owner, Post
from db.repositories import REGISTRY, bump_version
from geo.vocabulary import Connection

if TYPE_CHECKING:  # geo.demo is only needed for the type; loading it here would be wasted at import
    from geo.demo import DemoData

PRIORITY_LAYER = "priority"
STAGES = ("districts", "owners", "cameras", "posts", "duty units", "priority layer", "district assignment")
# progress(stage, done, total): stages come in STAGES order; "cameras" reports rows as they are written.
LoadProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoLoadSummary:
    written: dict[str, WriteSummary]
    assigned: int
    kept_real_districts: int = 0

    @property
    def changed(self) -> bool:
        return self.assigned > 0 or any(s.changed for s in self.written.values())


@dataclass(frozen=True)
class RegistrySummary:
    """What is in the registry now, for the CLI's closing table."""
    cameras: int
    cameras_per_owner_class: dict[str, int]
    connected_per_kecamatan: dict[str, int]
    posts_per_kind: dict[str, int]
    personnel_per_kind: dict[str, int]
    duty_units: int
    on_duty: int
    unassigned_cameras: int = field(default=0)


def load_demo(session: Session, demo: DemoData, progress: LoadProgress | None = None) -> DemoLoadSummary:
    """Upsert districts, owners, cameras, posts, duty units and the priority layer; assign districts."""
    report = progress or (lambda stage, done, total: None)
    written: dict[str, WriteSummary] = {}
    real = real_district_count(session, own_sources=set(demo.districts["source"].dropna()))
    steps = (("districts", lambda: WriteSummary() if real else _replace_districts(session, demo.districts)),
             ("owners", lambda: upsert_owners(session, demo.owners)),
             ("cameras", lambda: upsert_cameras(session, demo.cameras,
                                                progress=lambda done, total: report("cameras", done, total))),
             ("posts", lambda: upsert_posts(session, demo.posts)),
             ("duty units", lambda: upsert_duty_units(session, demo.duty_units)),
             ("priority layer", lambda: replace_layer(session, PRIORITY_LAYER, demo.priority)),
             ("feeds", lambda: _demo_feeds(session, demo.cameras)))
    for stage, write in steps:
        report(stage, 0, 1)
        written[stage] = write()
        report(stage, 1, 1)
    report("district assignment", 0, 1)
    assigned = assign_districts(session)
    report("district assignment", 1, 1)
    return DemoLoadSummary(written, assigned, kept_real_districts=real)


PINNED_PER_KECAMATAN = 2  # a 4x4 video wall of always-on feeds; the other connected cameras start on demand


def _demo_feeds(session: Session, cameras) -> WriteSummary:
    """A relay feed for every connected demo camera: two pinned per kecamatan, the rest on demand.

    Pinning all 120 would keep 120 ffmpeg processes and the simulator's encoders busy on a small demo
    machine; the wall and the briefing strip need only a few, and any other camera starts when opened.
    """
    from db.feeds import cameras_with_feed, set_desired  # the feed table's one owner

    connected = cameras[cameras["connection"] == "connected"].sort_values("code")
    pinned = set(connected.groupby("kecamatan_code").head(PINNED_PER_KECAMATAN)["code"])
    existing = cameras_with_feed(session)
    new = [code for code in connected["code"] if code not in existing]  # operators' later choices stay
    for code in new:
        set_desired(session, code, mode="always_on" if code in pinned else "on_demand")
    return WriteSummary(added=len(new), updated=0, unchanged=len(connected) - len(new))


def _replace_districts(session: Session, districts) -> WriteSummary:
    """The demo's districts upserted; synthetic districts it does not hold any more deleted first.

    Cameras and posts in a deleted district lose it (ON DELETE SET NULL) until assign_districts runs.
    """
    stale = (District.synthetic.is_(True)) & District.code.not_in([str(c) for c in districts["code"]])
    removed = cast(CursorResult, session.execute(delete(District).where(stale))).rowcount
    if removed:
        bump_version(session, REGISTRY)
    summary = _upsert_by_level(session, districts)
    return WriteSummary(added=summary.added, updated=summary.updated + removed, unchanged=summary.unchanged)


def _upsert_by_level(session: Session, districts) -> WriteSummary:
    """Kecamatan first, then kelurahan: each call's parents are already stored."""
    summary = WriteSummary()
    for level in ("kecamatan", "kelurahan"):
        rows = districts[districts["level"] == level].reset_index(drop=True)
        if len(rows):
            summary = summary + upsert_districts(session, rows)
    return summary


def real_district_count(session: Session, own_sources: set[str] | None = None) -> int:
    """Districts that were imported rather than generated (from a source not in ``own_sources``)."""
    query = select(func.count()).select_from(District).where(District.synthetic.is_(False))
    if own_sources:
        query = query.where(District.source.is_(None) | District.source.not_in(sorted(own_sources)))
    return int(session.scalar(query) or 0)


def camera_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Camera)) or 0)


def registry_summary(session: Session) -> RegistrySummary:
    """Counts by owner class, connected cameras per kecamatan (after the spatial join), posts, personnel."""
    per_class = session.execute(select(Owner.owner_class, func.count(Camera.id))
                                .join(Owner, Camera.owner_id == Owner.id).group_by(Owner.owner_class)).all()
    parent = aliased(District)
    kecamatan = func.coalesce(parent.name, District.name)
    connected = session.execute(select(kecamatan, func.count(Camera.id))
                                .join(District, Camera.district_id == District.id)
                                .outerjoin(parent, District.parent_id == parent.id)
                                .where(Camera.connection == Connection.CONNECTED)
                                .group_by(kecamatan).order_by(kecamatan)).all()
    posts = session.execute(select(Post.kind, func.count(Post.id), func.coalesce(func.sum(Post.personnel), 0))
                            .group_by(Post.kind)).all()
    units, on_duty = session.execute(select(func.count(DutyUnit.id),
                                            func.coalesce(func.sum(DutyUnit.headcount), 0))).one()
    unassigned = session.scalar(select(func.count()).select_from(Camera).where(Camera.district_id.is_(None)))
    return RegistrySummary(
        cameras=camera_count(session),
        cameras_per_owner_class={_value(c): int(n) for c, n in per_class},
        connected_per_kecamatan={str(name): int(n) for name, n in connected},
        posts_per_kind={_value(k): int(n) for k, n, _ in posts},
        personnel_per_kind={_value(k): int(p) for k, _, p in posts},
        duty_units=int(units), on_duty=int(on_duty), unassigned_cameras=int(unassigned or 0))


def _value(member) -> str:
    return str(getattr(member, "value", member))
