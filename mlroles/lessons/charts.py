"""A lesson's chart as a notebook shows it: the picture, and one sentence a screen reader reads out.

JupyterLab draws a bare ``image/png`` output as an ``<img>`` without alt text, so a learner who
cannot see the chart hears nothing. A ``Chart`` displays as ``text/html``, an ``<img>`` whose
``alt`` says what the chart shows with its key numbers, and keeps the PNG as well for front ends
that cannot show HTML. The figure is closed before it is wrapped, so the inline backend never
draws it a second time.
"""
from __future__ import annotations

import base64
import html
import io


class Chart:
    """A finished matplotlib figure and its alt text (``chart.figure``, ``chart.alt``)."""

    def __init__(self, figure, alt: str):
        alt = " ".join(str(alt).split())
        if not alt:
            raise ValueError("a chart needs alt text: one sentence that says what it shows")
        self.figure = figure
        self.alt = alt
        self._png: bytes | None = None

    def png(self) -> bytes:
        """The figure as PNG bytes, drawn once, as the inline backend would draw it."""
        if self._png is None:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=self.figure.dpi, bbox_inches="tight",
                                facecolor=self.figure.get_facecolor(), edgecolor=self.figure.get_edgecolor())
            self._png = buffer.getvalue()
        return self._png

    def _repr_png_(self) -> bytes:
        return self.png()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return f'<img alt="{html.escape(self.alt, quote=True)}" src="data:image/png;base64,{data}">'

    def __repr__(self) -> str:
        return f"Chart: {self.alt}"
