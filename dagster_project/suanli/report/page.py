"""The static HTML page: zh-CN, UTF-8, no external CSS/JS/fonts, images by relative path."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as _escape

import pandas as pd


def escape(text: str) -> str:
    """Text content: <, > and & escaped, quotes kept readable."""
    return _escape(text, quote=False)


def attribute(text: str) -> str:
    return _escape(text, quote=True)


FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", sans-serif'
)

STYLE = """
body { font-family: FONT_STACK; color: #1a202c; background: #f7fafc; margin: 0; line-height: 1.6; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 21px; border-bottom: 2px solid #2b6cb0; padding-bottom: 4px; margin-top: 40px; }
h3 { font-size: 17px; margin: 24px 0 8px; }
.note { background: #fffaf0; border-left: 4px solid #c05621; padding: 8px 12px; font-size: 14px; }
.notice { background: #fff5f5; border-left: 4px solid #c53030; padding: 8px 12px; }
figure { margin: 16px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e2e8f0; }
figcaption { font-size: 14px; color: #4a5568; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 24px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
caption { text-align: left; font-weight: 700; padding: 4px 0; }
th, td { border: 1px solid #cbd5e0; padding: 3px 8px; text-align: right; }
th { background: #edf2f7; text-align: center; }
td.text { text-align: left; }
td:first-child { white-space: nowrap; }
nav.toc { background: #f7fafc; border: 1px solid #e2e8f0; padding: 8px 16px; margin: 16px 0; }
nav.toc ol { margin: 4px 0; padding-left: 24px; }
p.download a { font-weight: 700; color: #2b6cb0; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  section { break-before: page; }
  figure, tr, h3 { break-inside: avoid; }  /* a long table runs on, row by row */
  h2, h3 { break-after: avoid; }
  p.download { display: none; }
}
""".replace("FONT_STACK", FONT_STACK)


@dataclass(frozen=True)
class FigureBlock:
    src: str  # relative to the page
    title: str


HeaderCell = tuple[str, int]  # text, colspan


@dataclass(frozen=True)
class TableBlock:
    caption: str
    header: list[list[HeaderCell]]
    rows: list[list[str]]  # already formatted; the first cell names the row


@dataclass(frozen=True)
class TextBlock:
    text: str
    css_class: str = ""


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class FigureGrid:
    """Figures two abreast (a system's secondary nodes)."""

    figures: list[FigureBlock]


Block = FigureBlock | TableBlock | TextBlock | Subheading | FigureGrid


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    grid: bool = False  # every figure side by side


def _cell(value: object, spec: str | None, na: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return na
    return spec.format(value) if spec else str(value)


def table_from_frame(
    caption: str, frame: pd.DataFrame, formats: dict[str, str], na: str = "—"
) -> TableBlock:
    """One header row of column names; `formats` maps a column name to a format spec."""
    header = [[(str(column), 1) for column in frame.columns]]
    rows = [
        [
            _cell(value, formats.get(str(column)), na)
            for column, value in zip(frame.columns, row, strict=True)
        ]
        for row in frame.itertuples(index=False)
    ]
    return TableBlock(caption, header, rows)


def table_across_years(caption: str, frame: pd.DataFrame, na: str = "—") -> TableBlock:
    """Rows are units, columns (year, measure) pairs: the year spans its measures."""
    years = list(dict.fromkeys(year for year, _ in frame.columns))
    measures = list(dict.fromkeys(measure for _, measure in frame.columns))
    header = [
        [(str(frame.index.name or ""), 1), *((f"{year}年", len(measures)) for year in years)],
        [("", 1), *((str(measure), 1) for _ in years for measure in measures)],
    ]
    formats = {"排名": "{:.0f}", "得分": "{:.1f}"}
    rows = [
        [
            str(name),
            *(
                _cell(v, formats.get(str(c[1])), na)
                for c, v in zip(frame.columns, values, strict=True)
            ),
        ]
        for name, values in zip(frame.index, frame.to_numpy(), strict=True)
    ]
    return TableBlock(caption, header, rows)


NUMBER = re.compile(r"[+-]?[\d,]*\.?\d+%?")


def _cell_html(cell: str) -> str:
    """Numbers align right so digits line up; names align left."""
    if NUMBER.fullmatch(cell) or cell == "—":
        return f"<td>{escape(cell)}</td>"
    return f'<td class="text">{escape(cell)}</td>'


def _table(block: TableBlock) -> str:
    head = "".join(
        "<tr>"
        + "".join(
            f'<th colspan="{span}">{escape(text)}</th>' if span > 1 else f"<th>{escape(text)}</th>"
            for text, span in row
        )
        + "</tr>"
        for row in block.header
    )
    body = "".join(
        "<tr>" + "".join(_cell_html(cell) for cell in row) + "</tr>" for row in block.rows
    )
    return (
        f'<table class="data"><caption>{escape(block.caption)}</caption>'
        f"<thead>{head}</thead><tbody>{body}</tbody></table>"
    )


def _figure(block: FigureBlock) -> str:
    title = escape(block.title)
    return (
        f'<figure><img src="{attribute(block.src)}" alt="{attribute(block.title)}" loading="eager">'
        f"<figcaption>{title}</figcaption></figure>"
    )


def _block(block: Block) -> str:
    if isinstance(block, FigureBlock):
        return _figure(block)
    if isinstance(block, TableBlock):
        return _table(block)
    if isinstance(block, Subheading):
        return f"<h3>{escape(block.text)}</h3>"
    if isinstance(block, FigureGrid):
        return '<div class="grid">' + "".join(_figure(f) for f in block.figures) + "</div>"
    css = f' class="{block.css_class}"' if block.css_class else ""
    return f"<p{css}>{escape(block.text)}</p>"


def section_id(number: int) -> str:
    return f"section-{number}"


def table_of_contents(sections: list[Section]) -> str:
    items = "".join(
        f'<li><a href="#{section_id(number)}">{escape(section.heading)}</a></li>'
        for number, section in enumerate(sections, start=1)
    )
    return f'<nav class="toc"><h2>目录</h2><ol>{items}</ol></nav>'


def render_body(
    title: str, intro: list[TextBlock], sections: list[Section], pdf: str | None = None
) -> str:
    """The title, the introduction, a link to the PDF edition (`pdf`, relative to the page),
    the table of contents, then each section under an anchor the contents link to."""
    parts = [f"<h1>{escape(title)}</h1>", *(_block(b) for b in intro)]
    if pdf is not None:
        link = f'<a href="{attribute(pdf)}" download>下载 PDF 版（{escape(pdf)}）</a>'
        parts.append(f'<p class="download">{link}</p>')
    parts.append(table_of_contents(sections))
    for number, section in enumerate(sections, start=1):
        parts.append(f'<section id="{section_id(number)}"><h2>{escape(section.heading)}</h2>')
        figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
        if section.grid:
            others = [b for b in section.blocks if not isinstance(b, FigureBlock)]
            parts += [_block(b) for b in others]
            parts.append('<div class="grid">' + "".join(_figure(f) for f in figures) + "</div>")
        else:
            parts += [_block(b) for b in section.blocks]
        parts.append("</section>")
    return "<main>\n" + "\n".join(parts) + "\n</main>"


def render_page(title: str, body: str, font_css: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{font_css}\n{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
