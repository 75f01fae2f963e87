"""The monthly transparency report as a printable HTML page, in Bahasa Indonesia or English.

The words come from ``db/locales/<lang>/LC_MESSAGES/report.po`` (read with Babel); the
figures from db/transparency.py, published with geo/transparency.py's small-number rule. The page
carries the audit chain's digest (latest hash, event count), so a reader can check the report
against a digest kept outside the system and nobody can publish a cherry-picked ledger.
"""
from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

from babel.messages.pofile import read_po

from db.transparency import TransparencyData

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("id", "en")
COLUMNS = ("polsek", "purpose", "live_views", "cameras_viewed", "requests_sent", "received", "unavailable",
           "avg_hours_to_receipt")
CONSENT_COLUMNS = ("polsek", "raised", "lowered", "extended", "shortened")


@cache
def _catalogue(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "LC_MESSAGES" / "report.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=lang)
                if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string}   # no plurals here


def words(lang: str, key: str, **values: object) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return _catalogue(lang).get(key, key).format(**values)


def _cell_text(lang: str, column: str, value: str) -> str:
    if column == "purpose":
        return words(lang, f"purpose.{value}") if value else ""
    if column == "polsek":
        return {"total": words(lang, "row.total"), "": words(lang, "row.no_polsek")}.get(value, value)
    return value


def _table(lang: str, table, columns: tuple[str, ...]) -> str:
    head = "".join(f"<th>{escape(words(lang, f'column.{c}'))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell_text(lang, c, str(row[c])))}</td>" for c in columns)
                   + "</tr>" for _, row in table.iterrows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(data: TransparencyData, lang: str) -> str:
    views = _table(lang, data.tables.published(), COLUMNS)
    consent = _table(lang, data.tables.published_consent(), CONSENT_COLUMNS)
    roles = sorted(data.accounts.items())
    accounts = ("".join(f"<li>{escape(words(lang, f'role.{role}'))}: {n}</li>" for role, n in roles)
                or f"<li>{escape(words(lang, 'accounts.none'))}</li>")
    d = data.digest
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{escape(words(lang, "title", month=data.month))}</title>
<style>
body {{font-family: "DejaVu Sans", sans-serif; margin: 2em; color: #1b1f24;}}
table {{border-collapse: collapse; width: 100%; font-size: 11pt;}}
th, td {{border: 1px solid #999; padding: 4px 6px; text-align: right;}}
th:nth-child(-n+2), td:nth-child(-n+2) {{text-align: left;}}
tr:last-child td {{font-weight: bold;}}
.digest {{font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; word-break: break-all;}}
@media print {{ body {{margin: 1cm;}} }}
</style></head><body>
<h1>{escape(words(lang, "title", month=data.month))}</h1>
<p>{escape(words(lang, "intro"))}</p>
{views}
<h2>{escape(words(lang, "consent.title"))}</h2>
<p>{escape(words(lang, "consent.text"))}</p>
{consent}
<p>{escape(words(lang, "suppression"))}</p>
<h2>{escape(words(lang, "accounts"))}</h2><ul>{accounts}</ul>
<h2>{escape(words(lang, "digest.title"))}</h2>
<p>{escape(words(lang, "digest.text", events=d.events, last_id=d.last_id if d.last_id is not None else "-"))}</p>
<p class="digest">{escape(d.last_hash)}</p>
</body></html>
"""
