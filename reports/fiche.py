"""The fiche périmètre: a map image and a one-page A4 PDF of a perimeter, made offline.

What an ARS or a porteur attaches to a lettre d'intention or brings to a meeting: the
perimeter on a map with its neighbouring CPTS, its population (with the vintage) and
Taille, the table the lettre d'intention asks for (communes or quartiers, code postal,
code INSEE) and the findings of the checks, blocking first. The page always fits on one
sheet: the table goes to two or three columns and smaller type before the map shrinks,
and only a list too long for all of that ends with « et N autres ».

The map is drawn with matplotlib (no tiles, no network) in the perimeter's projected CRS,
so shapes are not squashed; the PDF embeds DejaVu Sans (shipped with matplotlib), which
has French accents, « », and the narrow no-break space of French thousands.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import matplotlib
import shapely
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo import manual_population
from geo.areas import projected_crs
from geo.catalog import Catalog
from geo.checks import Finding, Report
from geo.finding_kinds import severity_of
from geo.french import fmt_density, fmt_int, fmt_km2
from geo.perimeter import Perimeter, geometry_of, units_of
from geo.population import estimate_method
from geo.units import embedded_metadata, vintage_label
from reports.lettre import COLUMNS, lettre_table

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FILL = "#3a7ca5"           # the perimeter
OUTLINE = "#16425b"
CONTEXT_FILL, CONTEXT_EDGE = "#f2f2ef", "#c9c9c4"
BLOCKING = "#c0392b"
NEIGHBOUR_COLOURS = ("#d1495b", "#e09f3e", "#2a9d8f", "#8d6a9f", "#6b8f3a", "#b5651d", "#c2185b", "#4a4e69")
MAX_NAMED_COMMUNES = 40   # names on the map image; more would cover each other
COMMUNE_NAME_PT = 4.5

# A4 portrait, in mm.
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 12.0
BODY_W = PAGE_W - 2 * MARGIN
FOOTER_H = 8.0
MAP_HEIGHTS = (95.0, 80.0, 65.0)  # tried in turn until the table fits
TABLE_FONTS = (9.0, 8.0, 7.0, 6.0)
TABLE_COLUMNS = (1, 2, 3)
MIN_CELL_FONT = 5.0
COLUMN_GAP = 4.0
GAP = 3.0  # between the map, the table and the findings
TABLE_TITLE_H = 6.0
FINDINGS_MAX_H = 75.0
PT_MM = 25.4 / 72
TABLE_HEADER = (*COLUMNS[:2], "Code INSEE")


class FicheError(ValueError):
    """A perimeter that cannot be drawn (French message)."""


# --- the lettre d'intention table ------------------------------------------------------

def table_rows(catalog: Catalog, perimeter: Perimeter) -> list[tuple[str, str, str]]:
    """The lettre d'intention table (reports.lettre) in three columns: a quartier goes
    under its IRIS code, as the lettres of infra-communal CPTS write it."""
    table = lettre_table(catalog, perimeter)
    name, postal, insee, iris = COLUMNS[:4]
    code = table[iris].where(table[iris].fillna("") != "", table[insee])
    return list(zip(table[name], table[postal].fillna(""), code))


# --- the map -------------------------------------------------------------------------

def map_png(catalog: Catalog, perimeter: Perimeter, neighbours=(), report: Report | None = None,
            size_mm: tuple[float, float] = (BODY_W, MAP_HEIGHTS[0]), dpi: int = 200) -> bytes:
    """PNG of `map_figure`."""
    fig = map_figure(catalog, perimeter, neighbours, report, size_mm, dpi)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()


def map_figure(catalog: Catalog, perimeter: Perimeter, neighbours=(), report: Report | None = None,
               size_mm: tuple[float, float] = (BODY_W, MAP_HEIGHTS[0]), dpi: int = 200) -> Figure:
    """The perimeter (filled, its units' borders light, its communes named), the
    neighbouring CPTS around it (outlined, named), the communes around in grey, the
    blocking findings hatched, and a scale bar."""
    units = units_of(catalog, perimeter)
    shape = geometry_of(catalog, perimeter)
    if shape.is_empty:
        raise FicheError(f"Le périmètre « {perimeter.name} » est vide (ou sans contour connu) : "
                         "rien à cartographier.")
    crs = projected_crs(str(units["dep"].iloc[0]))
    own = gpd.GeoSeries([shape], crs=4326).to_crs(crs)
    view = _view(own.total_bounds, size_mm)
    view_box = shapely.box(*view)
    view_4326 = gpd.GeoSeries([view_box], crs=crs).to_crs(4326).iloc[0]

    fig = Figure(figsize=(size_mm[0] / 25.4, size_mm[1] / 25.4), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for around in _context(catalog, units, view_4326):
        around.to_crs(crs).plot(ax=ax, facecolor=CONTEXT_FILL, edgecolor=CONTEXT_EDGE, linewidth=0.3)
    legend = [Patch(facecolor=FILL, edgecolor=OUTLINE, label=perimeter.name)]
    _draw_neighbours(ax, catalog, perimeter, neighbours, view_4326, view_box, own.iloc[0], crs)
    units.to_crs(crs).plot(ax=ax, facecolor=FILL, edgecolor="white", linewidth=0.5)
    own.boundary.plot(ax=ax, color=OUTLINE, linewidth=1.4)
    flagged = [f.geometry for f in (report.blocking if report else []) if f.geometry is not None]
    if flagged:
        gpd.GeoSeries(flagged, crs=4326).to_crs(crs).plot(
            ax=ax, facecolor="none", edgecolor=BLOCKING, hatch="////", linewidth=1.0)
        legend.append(Patch(facecolor="none", edgecolor=BLOCKING, hatch="////", label="Point bloquant"))
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal")
    _scale_bar(ax, view)
    _name_communes(ax, units, crs)
    ax.legend(handles=legend, loc="upper left", fontsize=7, framealpha=0.9)
    return fig


def _name_communes(ax, units: gpd.GeoDataFrame, crs) -> None:
    """Each commune of the perimeter named at a point inside it (a commune taken by IRIS
    once, over its IRIS); beyond MAX_NAMED_COMMUNES, the most populous only, so names stay
    readable."""
    shapes = units[units.geometry.notna()].to_crs(crs)
    if shapes.empty:
        return
    communes = shapes.dissolve(by="commune_code", aggfunc={"commune_name": "first", "population": "sum"})
    communes = communes.sort_values("population", ascending=False).head(MAX_NAMED_COMMUNES)
    for name, shape in zip(communes["commune_name"], communes.geometry):
        point = shape.representative_point()
        ax.text(point.x, point.y, name, fontsize=COMMUNE_NAME_PT, ha="center", va="center",
                color="#102a43", clip_on=True,
                path_effects=[patheffects.withStroke(linewidth=1.8, foreground="white")])


def _context(catalog: Catalog, units: gpd.GeoDataFrame, view_4326) -> list[gpd.GeoDataFrame]:
    """The communes in view and, where the perimeter takes IRIS of a commune, that commune's
    other IRIS (to show what is left out of a shared commune)."""
    every = catalog.units
    in_view = every.iloc[every.sindex.query(view_4326, predicate="intersects")]  # index built once
    layers = [in_view[in_view["level"] == "commune"]]
    split = units.loc[units["level"] == "iris", "commune_code"].unique()
    if len(split):
        layers.append(every[(every["level"] == "iris") & every["commune_code"].isin(split)])
    return [layer for layer in layers if len(layer)]


def _view(bounds, size_mm, pad: float = 0.08) -> tuple[float, float, float, float]:
    """The perimeter's bounds, padded, widened to the image's proportions."""
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    ratio = size_mm[0] / size_mm[1]
    w, h = max(w, h * ratio), max(h, w / ratio)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _draw_neighbours(ax, catalog, perimeter, neighbours, view_4326, view_box, own, crs) -> None:
    """Each neighbour outlined in its colour, its name on a part of it that is in view and
    not under the perimeter (neighbours sharing a commune with it get distinct spots)."""
    x0, y0, x1, y1 = view_box.bounds
    dx, dy = (x1 - x0) * 0.1, (y1 - y0) * 0.08
    inner = shapely.box(x0 + dx, y0 + dy, x1 - dx, y1 - dy)
    shown = 0
    for other in neighbours:
        if other.name == perimeter.name:
            continue
        shape = geometry_of(catalog, other)
        if shape.is_empty or not shape.intersects(view_4326):
            continue
        colour = NEIGHBOUR_COLOURS[shown % len(NEIGHBOUR_COLOURS)]
        shown += 1
        projected = gpd.GeoSeries([shape], crs=4326).to_crs(crs)
        projected.plot(ax=ax, facecolor=colour, alpha=0.12, edgecolor="none")
        projected.boundary.plot(ax=ax, color=colour, linewidth=1.6)
        spots = [projected.iloc[0].intersection(area).difference(own) for area in (inner, view_box)]
        spots += [projected.iloc[0].intersection(view_box)]
        spot = next((s for s in spots if not s.is_empty and s.area > 0), None)
        if spot is None:
            continue
        point = spot.representative_point()
        ax.text(point.x, point.y, other.name, color=colour, fontsize=6.5, ha="center", va="center",
                fontweight="bold", clip_on=True,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])


def _scale_bar(ax, view) -> None:
    x0, y0, x1, y1 = view
    target = (x1 - x0) / 6
    length = min((k * 10 ** e for e in range(1, 7) for k in (1, 2, 5)), key=lambda v: abs(v - target))
    x, y = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.05
    ax.plot([x, x + length], [y, y], color="black", linewidth=2, solid_capstyle="butt")
    label = f"{fmt_int(length / 1000)} km" if length >= 1000 else f"{fmt_int(length)} m"
    ax.text(x + length / 2, y + (y1 - y0) * 0.015, label, ha="center", va="bottom", fontsize=7)


# --- the PDF -------------------------------------------------------------------------

@dataclass(frozen=True)
class TableLayout:
    font: float
    columns: int
    rows_per_column: int
    shown: int          # rows printed; the others are summed up as « et N autres »

    @property
    def row_h(self) -> float:
        return self.font * PT_MM * 1.55

    def height(self) -> float:
        return (self.rows_per_column + 1) * self.row_h


def table_layout(rows: int, space: float) -> TableLayout | None:
    """The largest type, then the fewest columns, that fit `rows` in `space` mm."""
    for font in TABLE_FONTS:
        for columns in TABLE_COLUMNS:
            layout = TableLayout(font, columns, math.ceil(rows / columns), rows)
            if layout.height() <= space:
                return layout
    return None


def truncated_layout(rows: int, space: float) -> TableLayout:
    font, columns = TABLE_FONTS[-1], TABLE_COLUMNS[-1]
    per_column = max(int(space / (font * PT_MM * 1.55)) - 1, 1)
    return TableLayout(font, columns, per_column, min(rows, per_column * columns - 1))


class _Page(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_creator("Tableau de bord CPTS")
        self.add_page()

    def font(self, size: float, bold: bool = False, colour=(0, 0, 0)) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*colour)

    def fitted_cell(self, w: float, h: float, text: str, size: float, bold: bool = False,
                    fill: bool = False) -> None:
        """A one-line cell: the type shrinks to fit, and only below MIN_CELL_FONT is the text
        cut (with an ellipsis)."""
        self.font(size, bold)
        while self.get_string_width(text) > w - 1.5 and self.font_size_pt > MIN_CELL_FONT:
            self.font(self.font_size_pt - 0.5, bold)
        while self.get_string_width(text) > w - 1.5 and len(text) > 1:
            text = text[:-2] + "…"
        self.cell(w, h, text, fill=fill, new_x=XPos.RIGHT, new_y=YPos.TOP)

    def text_height(self, w: float, h: float, text: str) -> float:
        return self.multi_cell(w, h, text, dry_run=True, output=MethodReturnValue.HEIGHT)


def fiche_pdf(catalog: Catalog, perimeter: Perimeter, neighbours, report: Report,
              edited: date | None = None) -> bytes:
    """The one-page A4 fiche of `perimeter`; `report` is check_perimeter's for it against
    `neighbours`."""
    pdf = _Page()
    pdf.set_title(f"Fiche périmètre – {perimeter.name}")
    table = table_rows(catalog, perimeter)
    _header(pdf, perimeter, report, edited or date.today())
    findings, findings_h = _fit_findings(pdf, report.findings)
    bottom = PAGE_H - MARGIN - FOOTER_H
    for map_h in MAP_HEIGHTS:
        space = bottom - findings_h - pdf.get_y() - map_h - GAP - TABLE_TITLE_H - GAP
        layout = table_layout(len(table), space)
        if layout:
            break
    else:
        layout = truncated_layout(len(table), space)
    pdf.image(io.BytesIO(map_png(catalog, perimeter, neighbours, report, (BODY_W, map_h))),
              x=MARGIN, y=pdf.get_y(), w=BODY_W, h=map_h)
    pdf.set_y(pdf.get_y() + map_h + GAP)
    _table(pdf, table, layout)
    pdf.set_y(pdf.get_y() + GAP)
    _findings(pdf, findings, len(report.findings))
    _footer(pdf, catalog)
    return bytes(pdf.output())


def _header(pdf: _Page, perimeter: Perimeter, report: Report, edited: date) -> None:
    pdf.font(15, bold=True)
    pdf.multi_cell(BODY_W, 7, f"Fiche périmètre – {perimeter.name}", align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    meta = perimeter.metadata
    tags = [f"{label} : {meta[key]}" for key, label in (("porteur", "Porteur"), ("statut", "Statut"))
            if meta.get(key)]
    pdf.font(8.5, colour=(90, 90, 90))
    pdf.multi_cell(BODY_W, 4.5, " · ".join(tags + [f"Édité le {edited:%d/%m/%Y}"]), align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    f = report.figures
    pop = f.population
    vintages = ", ".join(str(v) for v in pop.vintages)
    headline = f"Population : {pop.label()}" + (f" (millésime {vintages})" if vintages else "")
    details = [f"Surface : {fmt_km2(f.area_km2)}"]
    if f.density is not None:
        details.append(f"densité : {fmt_density(f.density)}")
    details.append(f"{f.communes} commune(s)" + (f" dont {f.iris} IRIS" if f.iris else ""))
    details.append("d'un seul tenant" if f.parts <= 1 else f"en {f.parts} morceaux")
    if entered := manual_population.summary(perimeter.metadata, report.leaves):
        details.append(entered)
    if pop.estimated:
        details.append(f"population de {len(pop.estimated_units)} IRIS estimée : {estimate_method()}")
    pdf.ln(1)
    pdf.font(11, bold=True)
    pdf.multi_cell(BODY_W, 5.5, f"{headline}   ·   {pop.taille_label()}", align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(9)
    pdf.multi_cell(BODY_W, 5, " · ".join(details) + ".", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _table(pdf: _Page, table: list[tuple[str, str, str]], layout: TableLayout) -> None:
    pdf.font(10, bold=True)
    pdf.cell(BODY_W, TABLE_TITLE_H, f"Communes et quartiers du périmètre ({len(table)})",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y()
    block_w = (BODY_W - COLUMN_GAP * (layout.columns - 1)) / layout.columns
    pdf.font(layout.font)
    code_w = pdf.get_string_width("000000000") + 3
    postal_w = min(max(pdf.get_string_width(p) for p in [*(r[1] for r in table), TABLE_HEADER[1]]) + 3,
                   block_w * 0.3)
    widths = (block_w - code_w - postal_w, postal_w, code_w)
    rows = table[:layout.shown]
    if layout.shown < len(table):
        rows.append((f"et {len(table) - layout.shown} autres (liste complète : export CSV ou XLSX)", "", ""))
    pdf.set_fill_color(232, 236, 240)
    for column in range(layout.columns):
        x = MARGIN + column * (block_w + COLUMN_GAP)
        chunk = rows[column * layout.rows_per_column:(column + 1) * layout.rows_per_column]
        if not chunk:
            break
        pdf.set_xy(x, top)
        for w, title in zip(widths, TABLE_HEADER):
            pdf.fitted_cell(w, layout.row_h, title, layout.font, bold=True, fill=True)
        for i, row in enumerate(chunk, start=1):
            pdf.set_xy(x, top + i * layout.row_h)
            pdf.set_fill_color(*((246, 247, 249) if i % 2 == 0 else (255, 255, 255)))
            cells = zip(widths, row) if any(row[1:]) else [(block_w, row[0])]  # « et N autres »
            for w, text in cells:
                pdf.fitted_cell(w, layout.row_h, str(text), layout.font, fill=True)
        pdf.set_fill_color(232, 236, 240)
    pdf.set_xy(MARGIN, top + layout.height())


def _fit_findings(pdf: _Page, findings: list[Finding]) -> tuple[list[tuple[str, str]], float]:
    """The findings (blocking first) that fit in FINDINGS_MAX_H, and their height."""
    lines = [(f.severity, f.message) for f in sorted(findings, key=lambda f: severity_of(f.severity).order)]
    pdf.font(8.5)
    height, kept = 7.0, []
    for severity, message in lines:
        h = pdf.text_height(BODY_W - 22, 4.2, message) + 1
        if height + h > FINDINGS_MAX_H - 5:
            break
        kept.append((severity, message))
        height += h
    if len(kept) < len(lines):
        height += 5
    return kept, height


def _findings(pdf: _Page, lines: list[tuple[str, str]], total: int) -> None:
    pdf.font(10, bold=True)
    pdf.cell(BODY_W, 6, "Constats" if lines else "Constats : aucun", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    for severity, message in lines:
        y = pdf.get_y()
        pdf.font(7.5, bold=True, colour=severity_of(severity).rgb)
        pdf.cell(22, 4.2, severity_of(severity).tag, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.font(8.5)
        pdf.multi_cell(BODY_W - 22, 4.2, message, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), y + 4.2) + 1)
    if len(lines) < total:
        pdf.font(8.5, colour=(90, 90, 90))
        pdf.cell(BODY_W, 4.2, f"et {total - len(lines)} autres constats (voir l'application).",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _footer(pdf: _Page, catalog: Catalog) -> None:
    meta = embedded_metadata()
    package = meta["population_vintages"][str(catalog.vintage)]
    sources = (f"Communes : COG {meta['cog_vintage']}, contours {meta['source']} "
               f"{meta['source_version']} ; {vintage_label(catalog.vintage)} : "
               f"{meta['population_source']} {package['package_version']}")
    if catalog.iris_source:
        sources += f" ; IRIS : {catalog.iris_source}"
    pdf.set_y(PAGE_H - MARGIN - FOOTER_H + 3)
    pdf.font(6.5, colour=(120, 120, 120))
    pdf.multi_cell(BODY_W, 3, sources + ".", align="L")
