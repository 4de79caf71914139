"""Setting Japanese text: line breaking with 禁則 and drawing across the two fonts."""

from __future__ import annotations

import re

from reportlab.pdfgen.canvas import Canvas

from printing.documents._ivs import is_variation_selector, split_clusters
from printing.documents.fonts import runs, string_width

# 行頭禁則: characters that must not begin a line (JIS X 4051, simplified).
_NO_LINE_START = frozenset(
    "、。，．,.）)」』】〕〉》］｝・：；？！ーゝゞ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
# 行末禁則: characters that must not end a line.
_NO_LINE_END = frozenset("（(「『【〔〈《［｛")
# Runs kept on one line where possible: numbers, Latin words, codes.
_UNBREAKABLE = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ,，.．\-－/／:]+|.", re.DOTALL)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for token in _UNBREAKABLE.findall(text):
        if tokens and is_variation_selector(token[0]):
            tokens[-1] += token  # a selector belongs to the character before it
        else:
            tokens.append(token)
    return tokens


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points at ``size``.

    Breaks anywhere between CJK characters, keeps numbers and Latin words whole unless a word is
    wider than the line, honours 行頭/行末禁則 (a closing bracket or 。 may hang past the edge,
    as ぶら下げ), and starts a new line at every "\\n".
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = _wrap_paragraph(paragraph, width, size)
        # A line the wrap started does not begin with the space it broke at.
        lines.extend([wrapped[0], *(line.lstrip(" \u3000") for line in wrapped[1:])])
    return lines


def _wrap_paragraph(text: str, width: float, size: float) -> list[str]:
    if not text:
        return [""]
    lines: list[str] = []
    line = ""
    line_width = 0.0
    for token in _tokens(text):
        token_width = string_width(token, size)
        if line and line_width + token_width > width:
            if token[0] in _NO_LINE_START:  # hang it on this line (ぶら下げ)
                line += token
                lines.append(line)
                line, line_width = "", 0.0
                continue
            if line[-1] in _NO_LINE_END:  # carry the opening bracket over
                carried = line[-1]
                lines.append(line[:-1])
                line, line_width = carried, string_width(carried, size)
            else:
                lines.append(line)
                line, line_width = "", 0.0
        if token_width > width and len(token) > 1:  # a word wider than the line: split it
            for ch in split_clusters(token):
                ch_width = string_width(ch, size)
                if line and line_width + ch_width > width:
                    lines.append(line)
                    line, line_width = "", 0.0
                line += ch
                line_width += ch_width
            continue
        line += token
        line_width += token_width
    lines.append(line)
    return lines


def draw_string(canvas: Canvas, x: float, y: float, text: str, size: float) -> float:
    """Draw ``text`` with its baseline at ``y`` from ``x``; returns the width drawn."""
    cursor = x
    for font, part in runs(text):
        canvas.setFont(font, size)
        canvas.drawString(cursor, y, part)
        cursor += string_width(part, size)
    return cursor - x


def draw_aligned(
    canvas: Canvas, x: float, y: float, width: float, text: str, size: float, align: str
) -> None:
    """Draw one line in a box of ``width``: ``left``, ``right``, ``center`` or ``spread``
    (均等割り付け: the characters spread evenly over the width, as form labels are)."""
    text_width = string_width(text, size)
    clusters = list(split_clusters(text))
    if align == "spread" and len(clusters) > 1 and text_width < width:
        gap = (width - text_width) / (len(clusters) - 1)
        cursor = x
        for cluster in clusters:
            cursor += draw_string(canvas, cursor, y, cluster, size) + gap
        return
    if align == "right":
        x += width - text_width
    elif align in ("center", "spread"):
        x += (width - text_width) / 2
    draw_string(canvas, x, y, text, size)
