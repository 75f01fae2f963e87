import itertools
import math

import numpy as np
import pytest

from geo.coverage import build_coverage_grid, camera_fields
from geo.planners.connect_next import PlanError, candidate_mask, plan_connect_next
from geo.planners.reaim import plan_reaim
from geo.raster import cone_cells
from tests.support.coverage import cameras, districts, random_cameras

BIG = (-2000, -2000, 2000, 2000)


def dome(dx, dy, r, consent="live", connection="registered", **extra):
    return {"dx": dx, "dy": dy, "kind": "dome", "range_m": r, "consent": consent, "connection": connection, **extra}


@pytest.fixture
def street():
    return cameras([dome(0, 0, 40), dome(10, 0, 30), dome(500, 0, 20), dome(1000, 0, 50, consent="on_request"),
                    dome(-500, 0, 45, connection="connected"), dome(-500, 0, 25),
                    dome(1500, 0, 60, consent="registry_only")])


def test_greedy_takes_the_biggest_new_area_and_never_cameras_without_live_consent(street):
    grid = build_coverage_grid(districts([BIG]))
    plan = plan_connect_next(street, grid, budget=5)
    assert plan.picks["code"].tolist() == ["CAM-0", "CAM-2"]  # CAM-1 and CAM-5 add nothing new
    assert plan.picks["gain_m2"].tolist() == pytest.approx([math.pi * 1600, math.pi * 400], rel=0.08)
    assert plan.baseline_m2 == pytest.approx(math.pi * 45**2, rel=0.05)
    assert plan.candidates == 4  # live consent and not connected yet
    assert plan.upper_bound_gain_m2 >= plan.greedy_gain_m2
    assert plan.picks["cumulative_gain_m2"].iloc[-1] == pytest.approx(plan.greedy_gain_m2)


def test_candidates_are_exactly_live_consent_and_not_connected(street):
    assert candidate_mask(street).tolist() == [True, True, True, False, False, True, False]


def test_quota_per_district_is_respected():
    frame = districts([(-2000, -2000, 0, 2000), (0, -2000, 2000, 2000)])
    cams = random_cameras(800, frame.total_bounds, seed=3).assign(consent="live")
    cams.loc[:, "kecamatan_code"] = np.where(cams["lon"] < cams["lon"].median(), "K-WEST", "K-EAST")
    grid = build_coverage_grid(frame)
    plan = plan_connect_next(cams, grid, budget=20, per_district=4)
    assert len(plan.picks) == 8
    assert plan.picks["district"].value_counts().to_dict() == {"K-WEST": 4, "K-EAST": 4}
    free = plan_connect_next(cams, grid, budget=8)
    assert free.greedy_gain_m2 >= plan.greedy_gain_m2  # a quota can only cost coverage


def test_quota_falls_back_to_the_grid_district_without_kecamatan_codes():
    frame = districts([(-2000, -2000, 0, 2000), (0, -2000, 2000, 2000)])
    cams = random_cameras(400, frame.total_bounds, seed=8).assign(consent="live")
    plan = plan_connect_next(cams, build_coverage_grid(frame), budget=10, per_district=2)
    assert plan.picks["district"].value_counts().to_dict() == {"D0": 2, "D1": 2}


def test_greedy_is_within_its_guarantee_and_the_bound_is_above_the_optimum():
    frame = districts([(-150, -150, 150, 150)])
    rng = np.random.default_rng(12)
    cams = cameras([dome(float(x), float(y), float(r)) for x, y, r in
                    zip(rng.uniform(-120, 120, 12), rng.uniform(-120, 120, 12), rng.uniform(20, 60, 12), strict=True)])
    grid = build_coverage_grid(frame)
    fields = camera_fields(cams, grid)
    cells, cams_of = cone_cells(grid.grid, fields["x"], fields["y"], fields["bearing_deg"], fields["fov_deg"],
                                fields["range_m"])
    inside = grid.district_of[cells] > 0
    sets = [set(cells[inside & (cams_of == i)].tolist()) for i in range(len(cams))]
    best = max(len(set().union(*(sets[i] for i in combo))) for combo in itertools.combinations(range(12), 3))
    plan = plan_connect_next(cams, grid, budget=3)
    greedy_cells = plan.greedy_gain_m2 / 25
    assert greedy_cells >= (1 - 1 / math.e) * best
    assert plan.upper_bound_gain_m2 / 25 >= best
    assert 0 <= plan.optimality_gap_pct < 100


def test_planner_input_errors(street):
    grid = build_coverage_grid(districts([BIG]))
    with pytest.raises(PlanError, match="priority layer"):
        plan_connect_next(street, grid, budget=3, objective="priority")
    with pytest.raises(PlanError, match="budget"):
        plan_connect_next(street, grid, budget=0)
    with pytest.raises(PlanError, match="quota"):
        plan_connect_next(street, grid, budget=3, per_district=0)


def fixed(dx, dy, bearing, adjustable=True, **extra):
    return {"dx": dx, "dy": dy, "kind": "fixed", "bearing_deg": bearing, "fov_deg": 90, "range_m": 30,
            "bearing_adjustable": adjustable, "district_code": "D0", **extra}


def test_reaim_turns_a_redundant_camera_towards_a_blind_spot():
    grid = build_coverage_grid(districts([BIG]))
    cams = cameras([fixed(0, 0, 40, adjustable=False), fixed(0, 0, 40)])
    plan = plan_reaim(cams, grid)
    assert plan.moves["code"].tolist() == ["CAM-1"]
    move = plan.moves.iloc[0]
    assert move["from_deg"] == 40 and move["to_deg"] % 15 == 0
    assert abs(((move["to_deg"] - 40) + 180) % 360 - 180) >= 90  # no overlap with the old cone
    assert move["gain_m2"] == pytest.approx(math.pi * 900 / 4, rel=0.15)
    expected = f"rotate camera CAM-1 from 40 to {move['to_deg']:g} degrees: +{move['gain_m2']:,.0f} m2 covered"
    assert move["text"] == expected
    gained = (plan.after["registered_coverage_pct"] - plan.before["registered_coverage_pct"]).iloc[0]
    assert gained / 100 * 16e6 == pytest.approx(move["gain_m2"])
    assert plan.cameras_after["bearing_deg"].tolist() == [40, move["to_deg"]]


def test_reaim_never_uncovers_what_only_the_camera_saw():
    grid = build_coverage_grid(districts([BIG]))
    assert plan_reaim(cameras([fixed(0, 0, 40)]), grid).moves.empty
    twins = plan_reaim(cameras([fixed(0, 0, 40), fixed(0, 0, 40)]), grid)
    assert len(twins.moves) == 1  # once one twin turns, the other's cells are its own
    assert (twins.after["registered_coverage_pct"] >= twins.before["registered_coverage_pct"]).all()


def test_reaim_turns_a_camera_facing_out_of_the_district_inwards():
    grid = build_coverage_grid(districts([(-500, -500, 500, 0)]))  # the camera sits on the north edge
    plan = plan_reaim(cameras([fixed(0, -1, 0)]), grid)
    assert plan.moves["to_deg"].iloc[0] in (135.0, 180.0, 225.0)  # any bearing with the cone fully inside
    assert plan.total_gain_m2 == pytest.approx(math.pi * 900 / 4, rel=0.15)


def test_reaim_leaves_domes_fixed_bearings_and_other_districts_alone():
    grid = build_coverage_grid(districts([(-500, -500, 500, 0)]))
    cams = cameras([dome(0, -1, 20, bearing_adjustable=True, district_code="D0"),
                    fixed(100, -1, 0, adjustable=False), fixed(200, -1, 0, district_code="D9")])
    assert plan_reaim(cams, grid).moves["code"].tolist() == ["CAM-2"]
    assert plan_reaim(cams, grid, districts=["D0"]).moves.empty
    assert plan_reaim(cams, grid, districts=["D9"]).moves["code"].tolist() == ["CAM-2"]


def test_reaim_on_many_cameras_only_adds_coverage_everywhere():
    frame = districts([(-1000, -1000, 0, 1000), (0, -1000, 1000, 1000)])
    plan = plan_reaim(random_cameras(1500, frame.total_bounds, seed=21), build_coverage_grid(frame))
    assert len(plan.moves) > 10
    assert (plan.after["registered_coverage_pct"] >= plan.before["registered_coverage_pct"] - 1e-9).all()
    added = ((plan.after["registered_coverage_pct"] - plan.before["registered_coverage_pct"]) / 100 * 2e6).sum()
    assert added == pytest.approx(plan.total_gain_m2)
