"""A standalone HTML receivables report: one self-contained file, no external CSS, scripts or fonts.

:func:`render_html` takes what :func:`optimar_erp.engine.analytics.summary` and
:func:`~optimar_erp.engine.analytics.monthly_metrics` return and draws KPI tiles, an aging bar chart,
DSO and CEI trend lines (inline SVG) and the top overdue customers. Every string that comes from data
is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape

import pandas as pd

from optimar_erp import __version__

_CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --bg:#f5f7fa; --card:#ffffff;
	--blue:#1d4ed8; --teal:#0f766e; --amber:#b45309; --red:#b91c1c; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
	color:var(--ink); background:var(--bg); line-height:1.45; }
header { background:#102a43; color:#fff; padding:24px 32px; }
header h1 { margin:0 0 4px; font-size:1.6rem; font-weight:650; }
header p { margin:0; color:#d9e2ec; }
main { max-width:1120px; margin:0 auto; padding:24px 32px 48px; }
section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:20px 24px;
	margin:20px 0; }
h2 { font-size:1.15rem; margin:0 0 12px; }
.tiles { display:flex; flex-wrap:wrap; gap:12px; background:none; border:none; padding:0; }
.tile { flex:1 1 190px; background:var(--card); border:1px solid var(--line); border-radius:10px;
	padding:14px 16px; }
.tile .label { color:var(--muted); font-size:.85rem; }
.tile .value { font-size:1.45rem; font-weight:650; margin-top:2px; font-variant-numeric:tabular-nums; }
.tile .note { color:var(--muted); font-size:.78rem; margin-top:2px; }
.tile.alert .value { color:var(--red); }
.charts { display:flex; flex-wrap:wrap; gap:20px; }
.charts figure { flex:1 1 460px; margin:0; min-width:0; }
svg { width:100%; height:auto; display:block; }
svg text { font-family:inherit; fill:var(--muted); font-size:12px; }
svg .value-label { fill:var(--ink); font-weight:600; }
table { border-collapse:collapse; width:100%; font-size:.9rem; font-variant-numeric:tabular-nums; }
caption { text-align:left; color:var(--muted); padding-bottom:6px; }
th, td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { background:#f0f4f8; color:var(--ink); font-weight:600; }
tbody th { background:none; }
th:first-child, td:first-child { text-align:left; white-space:normal; }
.sub { color:var(--muted); font-size:.8rem; display:block; font-weight:400; }
.legend { display:flex; gap:16px; flex-wrap:wrap; font-size:.85rem; color:var(--muted); margin:4px 0 0; }
.legend span { margin-right:16px; }
.legend span::before { content:""; display:inline-block; width:14px; height:3px; margin-right:6px;
	vertical-align:middle; background:var(--c); }
details { margin-top:8px; } summary { cursor:pointer; color:var(--blue); }
.notice { background:#fff7ed; border:1px solid #fed7aa; color:#7c2d12; border-radius:8px; padding:10px 14px; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:6px 16px; margin:0; font-size:.9rem; }
dt { font-weight:600; } dd { margin:0; color:var(--muted); }
footer { color:var(--muted); font-size:.8rem; text-align:center; padding:12px; }
.note { color:var(--muted); font-size:.85rem; }
td.why { text-align:left; white-space:normal; color:var(--muted); font-style:italic; }
h1, h2, p, li, dd, caption { overflow-wrap:anywhere; }
.scroll { max-width:100%; }
.short { display:none; }
@media (max-width: 640px) {
	header { padding:16px; } header h1 { font-size:1.25rem; }
	main { padding:12px 10px 32px; }
	section { padding:14px 12px; margin:14px 0; }
	.tile { flex-basis:140px; padding:10px 12px; } .tile .value { font-size:1.2rem; }
	.charts figure { flex-basis:100%; }
	table { font-size:.72rem; }
	th, td { padding:5px 3px; white-space:normal; }
	.top .bucket, .trend .opt, .full { display:none; } .short { display:inline; }
	dl { grid-template-columns:1fr; gap:2px; } dd { margin-bottom:8px; }
}
@media print { body { background:#fff; } section, .tile { break-inside:avoid; } }
"""

_BUCKET_COLOURS = ("#0f766e", "#ca8a04", "#ea580c", "#dc2626", "#b91c1c", "#7f1d1d")


def _num(x: float | None, digits: int = 0) -> str:
	"""A number with thousands separators, or an em dash when unknown; never "-0" (a value that rounds
	to zero is shown as zero)."""
	if x is None or (isinstance(x, float) and math.isnan(x)):
		return "—"
	x = round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0
	return f"{x:,.{digits}f}"


def _pct(x: float | None) -> str:
	"""A percentage with one decimal ("12.5%"), never "-0.0%"; an em dash when unknown."""
	text = _num(x, 1)
	return text if text == "—" else f"{text}%"


def _money(x: float | None, currency: str | None) -> str:
	"""An amount with thousands separators, prefixed with the currency code when there is one."""
	text = _num(x)
	return f"{escape(currency)} {text}" if currency and text != "—" else text


def _nice_step(span: float, ticks: int = 5) -> float:
	"""A round tick step (1, 2, 2.5 or 5 × 10^k) giving about ``ticks`` intervals over ``span``."""
	if span <= 0:
		return 1.0
	raw = span / ticks
	mag = 10 ** math.floor(math.log10(raw))
	for m in (1, 2, 2.5, 5, 10):
		if raw <= m * mag:
			return m * mag
	return 10 * mag


def _short(x: float) -> str:
	"""A compact axis label: 1.2M, 350k, 40."""
	a = abs(x)
	if a >= 1e9:
		return f"{x / 1e9:.3g}B"
	if a >= 1e6:
		return f"{x / 1e6:.3g}M"
	if a >= 1e3:
		return f"{x / 1e3:.3g}k"
	return f"{x:.3g}"


def _bar_chart(labels: list[str], values: list[float], currency: str | None, title: str) -> str:
	"""An SVG vertical bar chart with value labels (one bar per aging bucket)."""
	w, h, left, right, top, bottom = 720, 260, 64, 16, 24, 40
	vmax = max([v for v in values if v is not None] + [0.0])
	step = _nice_step(vmax or 1.0)
	ymax = step * math.ceil((vmax or 1.0) / step)
	plot_w, plot_h = w - left - right, h - top - bottom
	slot = plot_w / max(len(values), 1)
	parts = [
		f'<svg viewBox="0 0 {w} {h}" role="img" aria-labelledby="aging-title">',
		f'<title id="aging-title">{escape(title)}</title>',
	]
	tick = 0.0
	while tick <= ymax + 1e-9:
		y = top + plot_h - tick / ymax * plot_h
		parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7eb"/>')
		parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_short(tick)}</text>')
		tick += step
	for i, (label, v) in enumerate(zip(labels, values, strict=True)):
		v = v or 0.0
		bh = max(v, 0.0) / ymax * plot_h
		x = left + i * slot + slot * 0.18
		bw = slot * 0.64
		y = top + plot_h - bh
		colour = _BUCKET_COLOURS[min(i, len(_BUCKET_COLOURS) - 1)]
		parts.append(
			f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="3" fill="{colour}">'
			f"<title>{escape(label)}: {_money(v, currency)}</title></rect>"
		)
		parts.append(
			f'<text class="value-label" x="{x + bw / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle">{_short(v)}</text>'
		)
		parts.append(
			f'<text x="{x + bw / 2:.1f}" y="{h - bottom + 18}" text-anchor="middle">{escape(label)}</text>'
		)
	parts.append("</svg>")
	return "".join(parts)


def _line_chart(
	chart_id: str,
	title: str,
	x_labels: list[str],
	series: list[tuple[str, list[float | None], str, bool]],
	unit: str,
) -> str:
	"""An SVG line chart; ``series`` is (name, values, colour, dashed). Missing values break the line."""
	w, h, left, right, top, bottom = 480, 250, 44, 30, 16, 40
	finite = [v for _, vals, _, _ in series for v in vals if v is not None and not math.isnan(v)]
	lo = min(finite + [0.0])
	hi = max(finite + [1.0])
	step = _nice_step(hi - lo)
	y0, y1 = step * math.floor(lo / step), step * math.ceil(hi / step)
	if y1 <= y0:
		y1 = y0 + step
	plot_w, plot_h = w - left - right, h - top - bottom
	n = len(x_labels)

	def xy(i: int, v: float) -> tuple[float, float]:
		x = left + (plot_w * (i + 0.5) / n if n else 0)
		return x, top + plot_h - (v - y0) / (y1 - y0) * plot_h

	parts = [
		f'<svg viewBox="0 0 {w} {h}" role="img" aria-labelledby="{chart_id}-title">',
		f'<title id="{chart_id}-title">{escape(title)}</title>',
	]
	tick = y0
	while tick <= y1 + 1e-9:
		y = top + plot_h - (tick - y0) / (y1 - y0) * plot_h
		parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7eb"/>')
		parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_short(tick)}</text>')
		tick += step
	every = max(1, math.ceil(n / 7))
	for i, label in enumerate(x_labels):
		if (n - 1 - i) % every == 0:  # count from the newest month, so it is always labelled
			x, _ = xy(i, y0)
			parts.append(
				f'<text x="{x:.1f}" y="{h - bottom + 18}" text-anchor="middle">{escape(label)}</text>'
			)
	for name, values, colour, dashed in series:
		segments: list[list[tuple[float, float]]] = [[]]
		dots = []
		for i, v in enumerate(values):
			if v is None or math.isnan(v):
				segments.append([])
				continue
			x, y = xy(i, v)
			segments[-1].append((x, y))
			dots.append(
				f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
				f"<title>{escape(name)} {escape(x_labels[i])}: {v:,.1f}{escape(unit)}</title></circle>"
			)
		dash = ' stroke-dasharray="6 4"' if dashed else ""
		for seg in segments:
			if len(seg) > 1:
				pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
				parts.append(
					f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.2"{dash}/>'
				)
		parts.extend(dots)
	parts.append("</svg>")
	legend = "".join(f'<span style="--c:{c}">{escape(name)}</span>' for name, _, c, _ in series)
	return "".join(parts) + f'<div class="legend">{legend}</div>'


def _series(monthly: pd.DataFrame, column: str) -> list[float | None]:
	"""A monthly column as a list of floats, None where missing."""
	if column not in monthly:
		return []
	return [None if pd.isna(v) else float(v) for v in monthly[column]]


def _tile(label: str, value: str, note: str = "", alert: bool = False) -> str:
	"""One KPI tile."""
	cls = "tile alert" if alert else "tile"
	note_html = f'<div class="note">{note}</div>' if note else ""
	return f'<div class="{cls}"><div class="label">{label}</div><div class="value">{value}</div>{note_html}</div>'


OPEN_ITEMS_TEXT = (
	"The file has no payment dates (an open-items list): the monthly trend, CEI and countback DSO need "
	"the day each invoice was paid, so they are left out rather than computed wrong."
)


def _month_label(row) -> str:
	"""A trend month as people say it ("Nov 2026"), "Nov 2026 (to 8 Nov)" when cut short."""
	label = pd.Timestamp(str(row["month"]) + "-01").strftime("%b %Y")
	if row.get("partial"):
		label += f" (to {pd.Timestamp(row['end']).day} {pd.Timestamp(row['end']):%b})"
	return label


def _charted(monthly: pd.DataFrame) -> pd.DataFrame:
	"""The trend with the ratios of left-out months (``left_out`` not empty) blanked, so no line is drawn
	through a month cut short or built from money of unknown date."""
	if "left_out" not in monthly:
		return monthly
	out = monthly.copy()
	gone = out["left_out"].astype(str) != ""
	for col in ("dso_standard", "dso_countback", "bpdso", "add", "cei", "collected", "closing_ar"):
		if col in out:
			out.loc[gone, col] = float("nan")
	return out


def _amount(x: float | None) -> str:
	"""An amount in a wide table: in full, and shortened (64.5M) for a phone's width (CSS shows one)."""
	full = _num(x)
	if full == "—" or abs(x) < 100_000:
		return full
	return f'<span class="full">{full}</span><span class="short">{_short(float(x))}</span>'


def _trend_row(r) -> str:
	"""One month of the trend table (amounts without the currency: the caption names it); a left-out
	month keeps its sales and says why the rest is missing."""
	gone = bool(r.get("left_out"))
	cells = [f"<td>{_amount(r['credit_sales'])}</td>"]
	if gone and not r.get("partial"):
		cells.append(f'<td colspan="6" class="why">{escape(str(r["left_out"]))}</td>')
	else:
		cells += [f"<td>{_amount(r['collected'])}</td>", f"<td>{_amount(r['closing_ar'])}</td>"]
		if gone:
			cells.append(f'<td colspan="4" class="why">{escape(str(r["left_out"]))}</td>')
		else:
			cells += [
				f"<td>{_num(r['dso_standard'], 1)}</td>",
				f'<td class="opt">{_num(r["dso_countback"], 1)}</td>',
				f'<td class="opt">{_num(r["add"], 1)}</td>',
				f"<td>{_num(r['cei'], 1)}</td>",
			]
	return f"<tr><td>{escape(_month_label(r))}</td>{''.join(cells)}</tr>"


def render_html(summary: dict, monthly: pd.DataFrame, title: str, as_of: dt.date | str | pd.Timestamp) -> str:
	"""The whole report as one self-contained HTML document (a string)."""
	cur = summary.get("currency")
	labels: list[str] = list(summary.get("bucket_labels", []))
	buckets = summary.get("buckets", {})
	as_of_text = pd.Timestamp(as_of).strftime("%d %B %Y")
	currencies = summary.get("currencies") or []
	overdue_pct = summary.get("overdue_pct")
	open_items = bool(summary.get("open_items"))

	tiles = [
		_tile("Total receivables", _money(summary.get("total_ar"), cur)),
		_tile("Overdue", _money(summary.get("overdue"), cur), alert=bool(summary.get("overdue"))),
		_tile(
			"Overdue share",
			_pct(overdue_pct),
			alert=(overdue_pct or 0) > 25,
		),
		_tile(
			"DSO (standard)",
			_num(summary.get("dso_standard"), 1) + " days",
			f"AR ÷ last {summary.get('dso_window_days', 90)} days' credit sales",
		),
		_tile(
			"DSO (countback)",
			_num(summary.get("dso_countback"), 1) + " days",
			"left out: no payment dates" if open_items else "AR counted back month by month",
		),
		_tile(
			"CEI",
			_pct(summary.get("cei")),
			"left out: no payment dates"
			if open_items
			else "left out: see below"
			if summary.get("cei") is None and summary.get("left_out")
			else f"collection effectiveness, {escape(str(summary.get('cei_month', '')))}",
		),
		_tile(
			"ADD", _num(summary.get("add"), 1) + " days", "average days delinquent = DSO − best possible DSO"
		),
		_tile(
			"Open invoices",
			_num(summary.get("open_invoices")),
			f"{_num(summary.get('overdue_invoices'))} overdue",
		),
		_tile(
			"Customers with a balance",
			_num(summary.get("open_customers")),
			f"{_num(summary.get('overdue_customers'))} with overdue amounts",
		),
	]

	aging_rows = "".join(
		f"<tr><td>{escape(label)}</td><td>{_money(buckets.get(label), cur)}</td></tr>" for label in labels
	)
	aging_svg = _bar_chart(
		labels,
		[buckets.get(label) or 0.0 for label in labels],
		cur,
		f"Receivables by days past due at {as_of_text}",
	)

	amount_unit = f" ({escape(cur)})" if cur else ""
	shown = _charted(monthly)
	months = (
		[pd.Timestamp(f"{m}-01").strftime("%b %Y") for m in monthly["month"]] if "month" in monthly else []
	)
	dso_svg = _line_chart(
		"dso",
		"DSO by month, standard and countback",
		months,
		[
			("DSO standard", _series(shown, "dso_standard"), "#1d4ed8", False),
			("DSO countback", _series(shown, "dso_countback"), "#0f766e", False),
			("Best possible DSO", _series(shown, "bpdso"), "#9aa5b1", True),
		],
		" days",
	)
	cei_svg = _line_chart(
		"cei",
		"Collection effectiveness index by month",
		months,
		[("CEI", _series(shown, "cei"), "#b45309", False)],
		"%",
	)
	trend_rows = "".join(_trend_row(r) for _, r in monthly.iterrows())
	left_out_months = [
		f"{_month_label(r)}: {r['left_out']}" for _, r in monthly.iterrows() if r.get("left_out")
	]
	trend_note = (
		'<p class="note">Not charted: ' + escape("; ".join(left_out_months)) + ".</p>"
		if left_out_months
		else ""
	)
	if open_items:
		trends_html = (
			'<section id="trends" aria-labelledby="trends-h"><h2 id="trends-h">Trends by month</h2>'
			f'<p class="notice">{escape(OPEN_ITEMS_TEXT)}</p></section>'
		)
	else:
		trends_html = (
			'<section id="trends" aria-labelledby="trends-h">\n<h2 id="trends-h">Trends by month</h2>\n'
			'<div class="charts">\n'
			f"<figure><figcaption><strong>DSO</strong> (days)</figcaption>{dso_svg}</figure>\n"
			f"<figure><figcaption><strong>CEI</strong> (%)</figcaption>{cei_svg}</figure>\n"
			f"</div>\n{trend_note}\n<details><summary>Show the figures</summary>\n"
			f'<div class="scroll"><table class="trend"><caption>Monthly figures{amount_unit}; a month cut '
			"short by the report date, or whose balances depend on payments of unknown date, is listed "
			"without its ratios</caption>\n"
			'<thead><tr><th scope="col">Month</th><th scope="col">Credit sales</th><th scope="col">Collected'
			'</th>\n<th scope="col">Closing AR</th><th scope="col">DSO standard</th><th scope="col" '
			'class="opt">DSO countback</th>\n<th scope="col" class="opt">ADD</th><th scope="col">CEI %</th>'
			"</tr></thead>\n"
			f"<tbody>{trend_rows}</tbody></table></div></details>\n</section>"
		)

	top_head = "".join(f'<th scope="col" class="bucket">{escape(label)}</th>' for label in labels)
	top_rows = "".join(
		"<tr>"
		f'<th scope="row">{escape(str(c.get("customer_name", "")))}'
		+ (
			f'<span class="sub"> {escape(str(c.get("customer", "")))}</span>'
			if c.get("customer") != c.get("customer_name")
			else ""
		)
		+ "</th>"
		+ "".join(f'<td class="bucket">{_num(c.get("buckets", {}).get(label))}</td>' for label in labels)
		+ f"<td>{_num(c.get('total'))}</td><td><strong>{_num(c.get('overdue'))}</strong></td>"
		f"<td>{_num(c.get('oldest_days_overdue'))}</td>"
		"</tr>"
		for c in summary.get("top_overdue", [])
	)
	if not top_rows:
		top_rows = f'<tr><td colspan="{len(labels) + 4}">No customer has an overdue balance.</td></tr>'

	notice = ""
	if len(currencies) > 1:
		notice = (
			'<p class="notice">This ledger mixes currencies ('
			+ escape(", ".join(currencies))
			+ "); amounts are added as they are, without conversion.</p>"
		)
	read_html = ""
	if summary.get("notes") or summary.get("left_out"):
		items = "".join(f"<li>{escape(str(n))}</li>" for n in summary.get("notes", []))
		items += "".join(
			f"<li><strong>Left out:</strong> {escape(str(n))}</li>" for n in summary.get("left_out", [])
		)
		read_html = (
			'<section id="reading" aria-labelledby="reading-h"><h2 id="reading-h">How the file was read</h2>'
			f"<ul>{items}</ul></section>"
		)
	safe_title = escape(title)
	return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{safe_title}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{safe_title}</h1>
<p>Receivables as of {escape(as_of_text)}{" · amounts in " + escape(cur) if cur else ""}</p>
</header>
<main>
{notice}
<section class="tiles" aria-label="Key figures" id="kpis">
{"".join(tiles)}
</section>

<section id="aging" aria-labelledby="aging-h">
<h2 id="aging-h">Aging: receivables by days past due</h2>
{aging_svg}
<details><summary>Show the figures</summary>
<table><caption>Open balance per aging bucket{amount_unit}</caption>
<thead><tr><th scope="col">Bucket</th><th scope="col">Amount</th></tr></thead>
<tbody>{aging_rows}
<tr><th scope="row">Total</th><td><strong>{_money(summary.get("total_ar"), cur)}</strong></td></tr></tbody>
</table></details>
</section>

{trends_html}

<section id="top-overdue" aria-labelledby="top-h">
<h2 id="top-h">Top overdue customers</h2>
<div class="scroll"><table class="top"><caption>Largest overdue balances{amount_unit}, with their aging</caption>
<thead><tr><th scope="col">Customer</th>{top_head}<th scope="col">Total</th><th scope="col">Overdue</th>
<th scope="col">Oldest (days)</th></tr></thead>
<tbody>{top_rows}</tbody></table></div>
</section>
{read_html}
<section id="definitions" aria-labelledby="def-h">
<h2 id="def-h">How the figures are computed</h2>
<dl>
<dt>DSO (standard)</dt><dd>Receivables ÷ credit sales of the last {summary.get("dso_window_days", 90)} days
× {summary.get("dso_window_days", 90)}; monthly: closing receivables ÷ the month's credit sales × its days.</dd>
<dt>DSO (countback)</dt><dd>Closing receivables matched against the most recent months' credit sales, whole
months first, then a fraction of the last one; not distorted by seasonal peaks.</dd>
<dt>Best possible DSO</dt><dd>Not-yet-due receivables ÷ credit sales × days.</dd>
<dt>ADD</dt><dd>Average days delinquent = DSO − best possible DSO.</dd>
<dt>CEI</dt><dd>(Opening AR + credit sales − closing AR) ÷ (opening AR + credit sales − closing not-yet-due AR)
× 100, for the month.</dd>
<dt>Aging</dt><dd>Days past due = report date − due date; balances at the end of the report date.</dd>
</dl>
</section>
</main>
<footer>Generated by OptimAR ERP {escape(__version__)} on {dt.date.today():%d %B %Y}.</footer>
</body>
</html>
"""
