"""robvis-style risk-of-bias figures as plain SVG strings (McGuinness & Higgins 2021).

Two figures, from the same inputs:

- `traffic_light_svg(studies, domains, judgements)`: studies as rows, domains (usually D1 ...
  Dn and "Overall") as columns, one coloured circle per judgement.
- `summary_bar_svg(studies, domains, judgements)`: one 100 % stacked bar per domain, showing
  the share of studies (or of their weights) at each judgement; the "Overall" bar is bold.

`judgements[i][j]` is study i's judgement in domain j: a label such as "Low", "Some concerns",
"Moderate", "Serious", "Critical", "No information", "Not applicable", or a code such as
`rob2.Judgement.SOME_CONCERNS` ("some_concerns"). None means not applicable, as in robvis.

Accessible by construction: the SVG has role="img", a <title> and a <desc>; every circle and
bar segment has its own <title> naming study, domain and judgement; judgements are shown by
colour *and* symbol (robvis's + - x ! ?), and a legend spells the symbols out. Symbol text is
black or white, whichever contrasts more with its fill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

# Visual classes in robvis order, and each class's symbol (robvis: + - x ! ?; blank for N/A).
CLASSES = ("low", "some_concerns", "high", "critical", "no_information", "not_applicable")
SYMBOLS = {
    "low": "+",
    "some_concerns": "−",
    "high": "×",
    "critical": "!",
    "no_information": "?",
    "not_applicable": "",
}

# Normalised judgement text -> (visual class, Danish label, English label). Tools name the
# same visual class differently (RoB 2 "Some concerns", ROBINS-I "Moderate"), and the figure
# shows the tool's own word.
JUDGEMENTS: dict[str, tuple[str, str, str]] = {
    "low": ("low", "Lav", "Low"),
    "some concerns": ("some_concerns", "Nogen bekymring", "Some concerns"),
    "moderate": ("some_concerns", "Moderat", "Moderate"),
    "unclear": ("some_concerns", "Uklar", "Unclear"),
    "high": ("high", "Høj", "High"),
    "serious": ("high", "Alvorlig", "Serious"),
    "critical": ("critical", "Kritisk", "Critical"),
    "very high": ("critical", "Meget høj", "Very high"),
    "no information": ("no_information", "Ingen information", "No information"),
    "not applicable": ("not_applicable", "Ikke relevant", "Not applicable"),
}

PALETTES: dict[str, dict[str, str]] = {
    "cochrane": {
        "low": "#02C100",
        "some_concerns": "#E2DF07",
        "high": "#BF0000",
        "critical": "#820000",
        "no_information": "#4EA1F7",
        "not_applicable": "#CCCCCC",
    },
    "colourblind": {
        "low": "#FED98E",
        "some_concerns": "#FE9929",
        "high": "#D95F0E",
        "critical": "#993404",
        "no_information": "#FFFFFF",
        "not_applicable": "#CCCCCC",
    },
}

TEXT = {
    "traffic_title": ("Risiko for bias pr. studie og domæne", "Risk of bias by study and domain"),
    "summary_title": ("Risiko for bias pr. domæne", "Risk of bias by domain"),
    "study": ("Studie", "Study"),
    "domains": ("Domæner", "Domains"),
    "judgement": ("Vurdering", "Judgement"),
    "overall": ("Samlet risiko for bias", "Overall risk of bias"),
    "of": ("af", "of"),
    "studies": ("studier", "studies"),
    "weight": ("vægt", "weight"),
}

FONT = 'font-family="Helvetica, Arial, sans-serif"'
CHAR_WIDTH = 7  # rough width of one character at 12 px, for layout only


def _text(key: str, language: str) -> str:
    da, en = TEXT[key]
    return da if language == "da" else en


def classify(judgement: object, language: str = "en") -> tuple[str, str]:
    """(visual class, label) for a judgement label or code; ValueError if unknown."""
    if judgement is None or str(judgement).strip() == "":
        key = "not applicable"
    else:
        key = " ".join(str(judgement).replace("_", " ").split()).lower()
    if key not in JUDGEMENTS:
        raise ValueError(f"unknown risk-of-bias judgement {judgement!r}")
    visual, label_da, label_en = JUDGEMENTS[key]
    return visual, label_da if language == "da" else label_en


def _contrast_text(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast with the fill."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


def _check(
    studies: Sequence[str], domains: Sequence[str], judgements: Sequence[Sequence[object]]
) -> None:
    if len(judgements) != len(studies):
        raise ValueError(f"{len(studies)} studies but {len(judgements)} rows of judgements")
    for study, row in zip(studies, judgements, strict=True):
        if len(row) != len(domains):
            raise ValueError(f"{study}: {len(row)} judgements for {len(domains)} domains")


def _is_overall(domain: str) -> bool:
    return domain.strip().lower() in {"overall", "samlet"}


def _legend(
    classes_seen: Mapping[str, list[str]],
    palette: Mapping[str, str],
    x: int,
    y: int,
    language: str,
) -> tuple[list[str], int]:
    """Legend lines (circle, symbol, label) for the classes that occur; returns the new y."""
    parts = [
        f'<g class="legend"><text x="{x}" y="{y}" {FONT} font-size="12" font-weight="bold">'
        f"{escape(_text('judgement', language))}</text>"
    ]
    y += 8
    for visual in CLASSES:
        if visual not in classes_seen:
            continue
        y += 22
        fill = palette[visual]
        label = " / ".join(classes_seen[visual])
        symbol = SYMBOLS[visual]
        parts.append(
            f'<circle cx="{x + 9}" cy="{y - 4}" r="9" fill="{fill}" stroke="#333333"/>'
            f'<text x="{x + 9}" y="{y}" {FONT} font-size="13" font-weight="bold" '
            f'text-anchor="middle" fill="{_contrast_text(fill)}">{escape(symbol)}</text>'
            f'<text x="{x + 26}" y="{y}" {FONT} font-size="12">'
            f"{escape(label)}</text>"
        )
    parts.append("</g>")
    return parts, y


def _caption(
    domains: Sequence[str], domain_names: Mapping[str, str] | None, x: int, y: int
) -> tuple[list[str], int]:
    parts = []
    for domain in domains:
        name = (domain_names or {}).get(domain)
        if name:
            y += 16
            parts.append(
                f'<text x="{x}" y="{y}" {FONT} font-size="11">{escape(f"{domain}: {name}")}</text>'
            )
    return parts, y


def _svg(width: int, height: int, title: str, description: str, body: list[str], prefix: str):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{prefix}-title {prefix}-desc">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(description)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>' + "".join(body) + "</svg>"
    )


def traffic_light_svg(
    studies: Sequence[str],
    domains: Sequence[str],
    judgements: Sequence[Sequence[object]],
    *,
    domain_names: Mapping[str, str] | None = None,
    title: str | None = None,
    palette: str = "cochrane",
    language: str = "en",
    id_prefix: str = "rob-traffic",
) -> str:
    """A traffic-light plot: one row per study, one column per domain (see module docstring)."""
    _check(studies, domains, judgements)
    colours = PALETTES[palette]
    title = title or _text("traffic_title", language)
    cell, row_height, header = 46, 36, 40
    label_width = max([len(s) for s in studies] + [len(_text("study", language))]) * CHAR_WIDTH
    left = label_width + 24
    grid_width = cell * len(domains)
    captions = [
        f"{d}: {(domain_names or {}).get(d)}" for d in domains if (domain_names or {}).get(d)
    ]
    caption_width = max((len(c) for c in captions), default=0) * CHAR_WIDTH + 24
    width = max(left + grid_width + 16, caption_width, 360)

    body = [
        f'<text x="{left + grid_width / 2}" y="16" {FONT} font-size="13" font-weight="bold" '
        f'text-anchor="middle">{escape(_text("domains", language))}</text>',
        f'<text x="12" y="{header - 6}" {FONT} font-size="12" font-weight="bold">'
        f"{escape(_text('study', language))}</text>",
    ]
    for j, domain in enumerate(domains):
        weight = ' font-weight="bold"' if _is_overall(domain) else ""
        body.append(
            f'<text x="{left + j * cell + cell / 2}" y="{header - 6}" {FONT} font-size="12"'
            f'{weight} text-anchor="middle">{escape(domain)}</text>'
        )
    seen: dict[str, list[str]] = {}
    for i, (study, row) in enumerate(zip(studies, judgements, strict=True)):
        y = header + i * row_height + row_height / 2
        body.append(
            f'<text x="12" y="{y + 4}" {FONT} font-size="12">{escape(study)}</text>'
            f'<line x1="{left}" y1="{y}" x2="{left + grid_width}" y2="{y}" stroke="#DDDDDD"/>'
        )
        for j, (domain, judgement) in enumerate(zip(domains, row, strict=True)):
            visual, label = classify(judgement, language)
            if label not in seen.setdefault(visual, []):
                seen[visual].append(label)
            fill = colours[visual]
            x = left + j * cell + cell / 2
            body.append(
                f'<g class="judgement {visual}"><title>{escape(f"{study}, {domain}: {label}")}'
                f'</title><circle cx="{x}" cy="{y}" r="14" fill="{fill}" stroke="#333333"/>'
                f'<text x="{x}" y="{y + 5}" {FONT} font-size="15" font-weight="bold" '
                f'text-anchor="middle" fill="{_contrast_text(fill)}">'
                f"{escape(SYMBOLS[visual])}</text></g>"
            )
    y = header + len(studies) * row_height + 8
    caption, y = _caption(domains, domain_names, 12, y)
    legend, y = _legend(seen, colours, 12, y + 24, language)
    height = int(y + 16)
    description = (
        f"{len(studies)} {_text('studies', language)} x {len(domains)} "
        f"{_text('domains', language).lower()}: {', '.join(domains)}."
    )
    return _svg(width, height, title, description, body + caption + legend, id_prefix)


def summary_bar_svg(
    studies: Sequence[str],
    domains: Sequence[str],
    judgements: Sequence[Sequence[object]],
    *,
    weights: Sequence[float] | None = None,
    domain_names: Mapping[str, str] | None = None,
    title: str | None = None,
    palette: str = "cochrane",
    language: str = "en",
    id_prefix: str = "rob-summary",
) -> str:
    """100 % stacked bars, one per domain, of the share of studies (or weight) per judgement.

    "Not applicable" judgements are left out of a domain's bar, so its shares add up to 100 %
    of the studies the domain applies to.
    """
    _check(studies, domains, judgements)
    if weights is not None and len(weights) != len(studies):
        raise ValueError(f"{len(studies)} studies but {len(weights)} weights")
    weights = [1.0] * len(studies) if weights is None else [float(w) for w in weights]
    colours = PALETTES[palette]
    title = title or _text("summary_title", language)

    labels = [
        _text("overall", language) if _is_overall(d) else (domain_names or {}).get(d, d)
        for d in domains
    ]
    left = max(len(label) for label in labels) * CHAR_WIDTH + 24 if labels else 120
    bar_width, bar_height, gap, top = 400, 26, 10, 16
    width = left + bar_width + 24
    body = []
    seen: dict[str, list[str]] = {}
    unit = _text("weight", language) if any(w != 1.0 for w in weights) else None
    for j, (domain, label) in enumerate(zip(domains, labels, strict=True)):
        y = top + j * (bar_height + gap)
        totals: dict[str, float] = {}
        names: dict[str, str] = {}
        for row, weight in zip(judgements, weights, strict=True):
            visual, name = classify(row[j], language)
            if visual == "not_applicable":
                continue
            totals[visual] = totals.get(visual, 0.0) + weight
            names.setdefault(visual, name)
            if name not in seen.setdefault(visual, []):
                seen[visual].append(name)
        total = sum(totals.values())
        bold = ' font-weight="bold"' if _is_overall(domain) else ""
        body.append(
            f'<text x="{left - 8}" y="{y + bar_height / 2 + 4}" {FONT} font-size="12"{bold} '
            f'text-anchor="end">{escape(label)}</text>'
        )
        x = float(left)
        for visual in CLASSES:
            if not totals.get(visual):
                continue
            share = totals[visual] / total
            segment = bar_width * share
            fill = colours[visual]
            amount = (
                f"{totals[visual]:g} {_text('of', language)} {total:g} {unit}"
                if unit
                else f"{totals[visual]:g} {_text('of', language)} {total:g} "
                f"{_text('studies', language)}"
            )
            tip = f"{label}, {names[visual]}: {amount} ({round(share * 100)} %)"
            text = f"{SYMBOLS[visual]} {round(share * 100)} %".strip()
            inside = ""
            if segment >= len(text) * CHAR_WIDTH + 6:
                inside = (
                    f'<text x="{x + segment / 2}" y="{y + bar_height / 2 + 4}" {FONT} '
                    f'font-size="12" text-anchor="middle" fill="{_contrast_text(fill)}">'
                    f"{escape(text)}</text>"
                )
            body.append(
                f'<g class="segment {visual}"><title>{escape(tip)}</title>'
                f'<rect x="{x:.2f}" y="{y}" width="{segment:.2f}" height="{bar_height}" '
                f'fill="{fill}" stroke="#333333" stroke-width="0.5"/>{inside}</g>'
            )
            x += segment
    axis_y = top + len(domains) * (bar_height + gap) + 4
    body.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + bar_width}" y2="{axis_y}" stroke="#333333"/>'
    )
    for tick in (0, 25, 50, 75, 100):
        x = left + bar_width * tick / 100
        body.append(
            f'<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{axis_y + 4}" stroke="#333333"/>'
            f'<text x="{x}" y="{axis_y + 17}" {FONT} font-size="11" text-anchor="middle">'
            f"{tick} %</text>"
        )
    legend, y = _legend(seen, colours, 12, axis_y + 44, language)
    height = int(y + 16)
    description = (
        f"{len(studies)} {_text('studies', language)}; "
        f"{_text('domains', language).lower()}: {', '.join(labels)}."
    )
    return _svg(width, height, title, description, body + legend, id_prefix)
