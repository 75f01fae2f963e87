"""A tiny OpenStreetMap extract around West Jakarta, written by the tests that build a basemap from it."""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

CENTRE = (106.75, -6.17)        # the commander's map opens on the region's centre
# ways: (tags, ring or line of (lon, lat)); a closed ring of an area tag is a polygon to GDAL's OSM driver
PARK = [(106.70, -6.20), (106.75, -6.20), (106.75, -6.14), (106.70, -6.14), (106.70, -6.20)]
LAKE = [(106.76, -6.19), (106.80, -6.19), (106.80, -6.15), (106.76, -6.15), (106.76, -6.19)]
BUILDING = [(106.7521, -6.1721), (106.7525, -6.1721), (106.7525, -6.1717), (106.7521, -6.1717), (106.7521, -6.1721)]
WAYS: list[tuple[dict[str, str], list[tuple[float, float]]]] = [
    ({"highway": "primary", "name": "Jalan Panjang"}, [(106.68, -6.172), (106.83, -6.172)]),
    ({"highway": "residential", "name": "Jalan Kemanggisan"}, [(106.753, -6.16), (106.753, -6.19)]),
    ({"highway": "service"}, [(106.751, -6.171), (106.752, -6.173)]),
    ({"railway": "rail"}, [(106.68, -6.15), (106.83, -6.16)]),
    ({"waterway": "river", "name": "Kali Angke"}, [(106.72, -6.13), (106.74, -6.22)]),
    ({"leisure": "park", "name": "Taman Uji"}, PARK),
    ({"natural": "water"}, LAKE),
    ({"building": "yes"}, BUILDING),
]
PLACES = [({"place": "suburb", "name": "Kebon Jeruk"}, (106.7705, -6.1935))]


def _tags(tags: dict[str, str]) -> str:
    return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())


def write_extract(path: Path) -> Path:
    """Write the extract as OSM XML (what GDAL's OSM driver reads like a .osm.pbf)."""
    nodes, ways, ids = [], [], {}
    for tags, point in PLACES:
        nodes.append(f'<node id="{len(nodes) + 1}" lat="{point[1]}" lon="{point[0]}" version="1">{_tags(tags)}</node>')
    for way_id, (tags, coords) in enumerate(WAYS, start=1000):
        refs = []
        for lon, lat in coords:
            if (lon, lat) not in ids:
                ids[(lon, lat)] = len(nodes) + 1
                nodes.append(f'<node id="{ids[(lon, lat)]}" lat="{lat}" lon="{lon}" version="1"/>')
            refs.append(f'<nd ref="{ids[(lon, lat)]}"/>')
        ways.append(f'<way id="{way_id}" version="1">{"".join(refs)}{_tags(tags)}</way>')
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="tests">\n'
                    + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")
    return path
