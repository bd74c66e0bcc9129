"""Lesson 5, "Skills and interview signals": reading the work behind a job title.

What a learner gets here:
- ``practice_ads()``: the practice job ads (their real role and red flags are public);
- ``ad_work()``: one row per (ad, responsibility) with the responsibility's owner;
- ``owner_shares()``: per practice ad, the share of data-scientist, ML-engineer, shared and
  not-shown work, beside the title, what the title promises and the real role;
- ``title_promise(title)``: the role a title advertises, read from its words alone;
- ``owner_mix_chart()``: stacked bars of that mix per ad, grouped by the kind of title (a ``Chart``:
  the figure and its alt text);
- ``role_practice`` and ``role_board()``: six practice ads to label with their real role, with
  feedback per ad from the ad's own rationale.

Only practice ads are used. Responsibilities from the graded pool of exercise 1 keep their owner
off this side of the course, so they count as "not shown" here and are never guessed.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from mlroles import data
from mlroles.checks.base import LabelQuestion, built_when_asked
from mlroles.data import OWNER_LABELS, ROLE_LABELS
from mlroles.lessons.charts import Chart
from mlroles.sources import read_in_lesson

NOT_SHOWN = "not shown"
MIX_COLUMNS = ("data_scientist", "ml_engineer", "shared", NOT_SHOWN)
MIX_NAMES = {**OWNER_LABELS.names, NOT_SHOWN: "not shown (graded item)"}
MIX_COLORS = {"data_scientist": "#3b6ea8", "ml_engineer": "#d9822b", "shared": "#6a9f58", NOT_SHOWN: "#d4d4d4"}

# What a title advertises, judged from its words only (the first match wins).
TITLE_WORDS = (
    ("platform", "ml_platform_engineer"),
    ("scientist", "data_scientist"),
    ("data science", "data_scientist"),
    ("machine learning engineer", "ml_engineer"),
    ("ml engineer", "ml_engineer"),
    ("ai engineer", "ml_engineer"),
)
TITLE_GROUPS = {
    "data_scientist": "Advertised as data science",
    "ml_engineer": "Advertised as ML engineering",
    "ml_platform_engineer": "Advertised as ML platform",
}

# The ads on the lesson's board: honest and mislabeled titles, five different real roles.
BOARD_ADS = ("A08", "A13", "A15", "A18", "A21", "A29")

HINTS = (
    "Read what the ad asks the person to achieve and do, and only then look at the title again.",
    "Framing a question, defining labels and judging a model point to data science; shipping, "
    "latency, tests and on-call point to ML engineering.",
    "Clusters and registries for other teams are platform work; moving and cleaning data for others "
    "is data engineering; screens and endpoints around a vendor's model are product engineering.",
)


@lru_cache(maxsize=None)
def _ads() -> pd.DataFrame:
    return data.load_job_ads()


@lru_cache(maxsize=None)
def _responsibilities() -> pd.DataFrame:
    return data.load_responsibilities()


def practice_ads() -> pd.DataFrame:
    """The practice job ads, in id order (a fresh copy each call)."""
    ads = _ads()
    return ads[ads["pool"] == "practice"].sort_values("ad_id").reset_index(drop=True).copy()


def title_promise(title: str) -> str:
    """The role a title advertises, from its words alone: ``data_scientist``, ``ml_engineer`` or
    ``ml_platform_engineer``; ``unclear`` when no known word is in it."""
    folded = " ".join(str(title).lower().split())
    for words, role in TITLE_WORDS:
        if words in folded:
            return role
    return "unclear"


def ad_work(ads: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (ad, responsibility): ad id, title, responsibility id and text, and its owner.

    The owner is ``not shown`` for a responsibility of exercise 1's graded pool.
    """
    ads = practice_ads() if ads is None else ads
    resp = _responsibilities()[["responsibility_id", "responsibility", "owner"]]
    work = (ads[["ad_id", "title", "responsibility_ids"]]
            .explode("responsibility_ids")
            .rename(columns={"responsibility_ids": "responsibility_id"})
            .merge(resp, on="responsibility_id", how="left"))
    work["owner"] = work["owner"].fillna(NOT_SHOWN)
    return work.reset_index(drop=True)


def owner_shares(ads: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per ad (index ``ad_id``): title, what the title promises, number of listed responsibilities,
    the share of each owner (data_scientist, ml_engineer, shared, not shown; each row sums to 1)
    and, for practice ads, the real role."""
    ads = practice_ads() if ads is None else ads
    work = ad_work(ads)
    shares = (pd.crosstab(work["ad_id"], work["owner"], normalize="index")
              .reindex(columns=list(MIX_COLUMNS), fill_value=0.0))
    info = ads.set_index("ad_id")
    out = pd.DataFrame({"title": info["title"], "title promises": info["title"].map(title_promise),
                        "items": work.groupby("ad_id").size()})
    out = out.join(shares)
    out["real role"] = info["real_role"]
    out.columns.name = None
    return out


def _mix_alt(shares: pd.DataFrame, groups: list) -> str:
    kinds = [f"{len(rows)} {TITLE_GROUPS[role].removeprefix('Advertised ')}" for role, rows in groups]
    kinds[0] = kinds[0].replace(" as ", " advertised as ", 1)
    kinds = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else kinds[0]
    differs = int((shares["real role"] != shares["title promises"]).sum())
    return (f"Stacked bar chart of the {len(shares)} practice job ads, grouped by title ({kinds}), each bar split "
            f"into the shares of data-scientist, ML-engineer, shared and not-shown work the ad lists; for "
            f"{differs} of the {len(shares)} ads the real role, written at the end of the bar, is not the one "
            f"the title promises.")


def owner_mix_chart(shares: pd.DataFrame | None = None) -> Chart:
    """Stacked horizontal bars: per practice ad, the share of data-scientist, ML-engineer, shared and
    not-shown work. One panel per kind of title; the ad's real role is written at the end of its bar
    and marked ``≠`` when the title promises something else. Returns a ``Chart`` (``.figure``, ``.alt``)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    shares = owner_shares() if shares is None else shares
    groups = [(role, shares[shares["title promises"] == role]) for role in TITLE_GROUPS]
    groups = [(role, rows) for role, rows in groups if len(rows)]
    fig, axes = plt.subplots(len(groups), 1, figsize=(10.5, 0.42 * len(shares) + 2.2), sharex=True,
                             gridspec_kw={"height_ratios": [len(rows) for _, rows in groups]}, squeeze=False)
    for ax, (role, rows) in zip(axes[:, 0], groups):
        rows = rows.iloc[::-1]  # first ad at the top
        y = range(len(rows))
        left = pd.Series(0.0, index=rows.index)
        for owner in MIX_COLUMNS:
            ax.barh(list(y), rows[owner], left=left, color=MIX_COLORS[owner], edgecolor="white",
                    height=0.72, label=MIX_NAMES[owner], hatch="//" if owner == NOT_SHOWN else None)
            left = left + rows[owner]
        ax.set_yticks(list(y))
        ax.set_yticklabels([f"{ad}  {row['title']}" for ad, row in rows.iterrows()])
        for pos, (_, row) in zip(y, rows.iterrows()):
            real = row["real role"]
            differs = real != row["title promises"]
            ax.text(1.02, pos, ("≠ " if differs else "= ") + ROLE_LABELS.name(real), va="center",
                    fontsize=9.5, color="#b00020" if differs else "#333333",
                    fontweight="bold" if differs else "normal")
        ax.set_title(f"{TITLE_GROUPS[role]} ({len(rows)} ad{'s' if len(rows) != 1 else ''})", loc="left", fontsize=10.5)
        ax.set_xlim(0, 1)
        ax.spines[["top", "right"]].set_visible(False)
    bottom = axes[-1, 0]
    bottom.set_xlabel("share of the responsibilities the ad lists")
    bottom.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes[0, 0].text(1.02, 1.0, "real role", transform=axes[0, 0].transAxes, fontsize=9.5,
                    fontweight="bold", va="bottom")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.suptitle("Who owns the work each practice ad lists", x=0.02, ha="left", y=0.995, fontsize=12)
    fig.legend(handles, labels, loc="upper center", ncol=4, frameon=False, bbox_to_anchor=(0.45, 0.975))
    fig.tight_layout(rect=(0, 0, 0.86, 0.945))
    plt.close(fig)
    return Chart(fig, _mix_alt(shares, groups))


def _ad_text(row) -> str:
    return f"{row['title']} at {row['company']}: {row['summary']}"


def _read_more(row) -> str:
    return read_in_lesson("05_skills_and_interview_signals", row["source_ids"], section="Don't trust the title")


def _role_question() -> LabelQuestion:
    ads = practice_ads().set_index("ad_id").loc[list(BOARD_ADS)]
    return LabelQuestion(
        "Real role behind the title",
        {ad: _ad_text(row) for ad, row in ads.iterrows()}, ROLE_LABELS,
        key=ads["real_role"].to_dict(),
        why=ads["rationale"].to_dict(),
        read={ad: _read_more(row) for ad, row in ads.iterrows()},
        hints=HINTS,
    )


# ``role_practice``, built on first use
__getattr__ = _asked = built_when_asked(globals(), role_practice=_role_question)


def role_board():
    """The lesson's board: six practice ads, one real role each; Check explains every ad you got wrong."""
    from mlroles.widgets.boards import ClassificationBoard

    board = ClassificationBoard(_asked('role_practice'))
    # Seven roles do not fit beside an ad's text: put the ad on its own line and the buttons below it.
    for control in board.controls.values():
        row = next(child for child in board.children if control in getattr(child, "children", ()))
        row.layout.flex_flow = "row wrap"
        row.layout.padding = "4px 0"
        label = row.children[1]
        label.layout.flex = "1 1 90%"
        label.value = f'<div style="line-height:1.45;padding:2px 0">{label.value}</div>'
        control.layout.flex = "1 1 100%"
        control.layout.margin = "2px 0 4px 1.6em"
        control.style.button_width = "auto"
    return board
