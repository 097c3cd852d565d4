"""Corpus charts as SVG drawn by matplotlib: tasks per lead agency, dated deadlines per quarter
(recurring and undated deadlines counted apart, not piled on a year's end), documents per province and year.
"""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from collections.abc import Sequence

from tthc_extract.model.plan import Plan

TOP_AGENCIES = 15
# Bar labels are wrapped at this width (and cut after two lines) so that long agency names fit.
LABEL_WIDTH = 32
# Deadline kinds that name a due date or period; the others (recurring, event, multiple, unknown)
# have no single date and are counted in their own bars.
DATED = {"date", "month", "quarter", "half_year", "year"}


def _svg(labels: Sequence[str], values: Sequence[int], title: str, horizontal: bool = False,
         colors: Sequence[str] | None = None, stacks: Sequence[tuple[str, Sequence[int]]] = ()) -> str:
    """Draw one bar per label (horizontal bars top-down in the labels' order); with ``stacks``, the
    horizontal bars are split into named parts (a legend names them) and ``values`` are unused."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels = [textwrap.fill(textwrap.shorten(str(k), 2 * LABEL_WIDTH, placeholder="…"), LABEL_WIDTH) for k in labels]
    n = max(1, len(labels))
    fig, ax = plt.subplots(figsize=(8, 0.42 * n + 1.2) if horizontal else (max(5.0, 0.45 * n + 1.5), 3.4))
    if stacks:
        left = [0] * len(labels)
        for name, part in stacks:
            ax.barh(list(labels)[::-1], list(part)[::-1], left=left[::-1], label=name)
            left = [a + b for a, b in zip(left, part, strict=True)]
        ax.legend(fontsize="small", title="plan year", loc="upper left", bbox_to_anchor=(1.01, 1))  # beside, not over, the bars
    elif horizontal:
        ax.barh(list(labels)[::-1], list(values)[::-1], color=list(colors or [])[::-1] or None)
    else:
        ax.bar(list(labels), list(values), color=list(colors) if colors else None)
        ax.tick_params(axis="x", labelrotation=60)
    # counts are whole numbers: no 0.2-step ticks on a chart of one or two documents
    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def _tasks(plans: Sequence[Plan]):  # type: ignore[no-untyped-def]
    for p in plans:
        yield from p.rows
        yield from p.prose_tasks


def agencies_chart(plans: Sequence[Plan]) -> str:
    """Tasks per lead agency (canonical names), the most frequent first."""
    c = Counter(a.canonical for t in _tasks(plans) for a in t.lead_agencies)
    top = c.most_common(TOP_AGENCIES)
    return _svg([k for k, _ in top], [v for _, v in top], "Tasks per lead agency", horizontal=True)


def deadlines_chart(plans: Sequence[Plan]) -> str:
    """Dated deadlines per quarter of their end; recurring, event and undated deadlines apart."""
    dated: Counter[str] = Counter()
    apart: Counter[str] = Counter()
    for t in _tasks(plans):
        d = t.deadline
        if d.kind in DATED and d.end is not None:
            dated[f"{d.end.year}-Q{(d.end.month - 1) // 3 + 1}"] += 1
        else:
            apart[d.kind] += 1
    keys = sorted(dated)
    labels = keys + [f"({k})" for k in sorted(apart)]
    values = [dated[k] for k in keys] + [apart[k] for k in sorted(apart)]
    colors = ["#3b6ea5"] * len(keys) + ["#b0b0b0"] * len(apart)
    return _svg(labels, values, "Deadlines per quarter (grey: no single date)", colors=colors)


def documents_chart(plans: Sequence[Plan]) -> str:
    """Documents per province, each bar split by plan year."""
    c = Counter((p.document.province or "?", str(p.document.plan_year or "?")) for p in plans)
    provinces = sorted({k for k, _ in c})
    years = sorted({y for _, y in c})
    # one bar per province split by year: 63 provinces at most, however many years the corpus spans
    return _svg(provinces, [], "Documents per province and year", horizontal=True,
                stacks=[(y, [c[(k, y)] for k in provinces]) for y in years])
