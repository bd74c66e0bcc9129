"""Read the instructor's answer keys for graded items (``solutions/graded_keys.csv``).

The keys file exists only in the instructor's copy of the course: learners receive
``exercises/``, ``datasets/`` and this package, none of which holds a graded answer.
This module holds no answers itself; it reads and checks the file when it is there.

The file is in long form, one answer cell per line: ``dataset,item_id,field,value``,
for example ``responsibilities,R02,owner,shared``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlroles import data
from mlroles.data import SCHEMAS

KEYS_FILE = Path("solutions") / "graded_keys.csv"


class AnswerKeyError(ValueError):
    """The keys file is missing, or does not match the graded items of the datasets."""


def load_graded_keys(path: Path | str) -> dict[str, pd.DataFrame]:
    """Answer columns of every graded item, per dataset: a frame indexed by item id.

    Checks that every graded row of every dataset has all its answer cells, with allowed
    values, and that no key names an item that is not graded.
    """
    path = Path(path)
    if not path.is_file():
        raise AnswerKeyError(f"{path} is missing: the graded keys live only in the instructor's copy of the course.")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(raw.columns) != ["dataset", "item_id", "field", "value"]:
        raise AnswerKeyError(f"{path}: the header must be dataset,item_id,field,value")
    unknown = sorted(set(raw["dataset"]) - set(SCHEMAS))
    if unknown:
        raise AnswerKeyError(f"{path}: unknown dataset(s) {', '.join(unknown)}; use {', '.join(SCHEMAS)}")
    keys = {}
    for name, schema in SCHEMAS.items():
        items = pd.read_csv(data.dataset_path(schema.file), dtype=str, keep_default_na=False)
        graded = items.loc[items["pool"] == "graded", schema.id_column].tolist()
        answer_columns = [c for c in schema.columns if c.answer]
        part = raw[raw["dataset"] == name]
        if part[["item_id", "field"]].duplicated().any():
            dup = part[part[["item_id", "field"]].duplicated()].iloc[0]
            raise AnswerKeyError(f"{path}: {name} {dup['item_id']} {dup['field']} is given twice")
        table = part.pivot(index="item_id", columns="field", values="value") if len(part) else pd.DataFrame()
        extra = sorted(set(table.index) - set(graded))
        if extra:
            raise AnswerKeyError(f"{path}: {name} has keys for items that are not graded: {', '.join(extra)}")
        for item in graded:
            for column in answer_columns:
                value = table.at[item, column.name] if (item in table.index and column.name in table.columns) else ""
                if pd.isna(value) or not value:
                    raise AnswerKeyError(f"{path}: {name} {item} has no {column.name}; add a line "
                                         f"'{name},{item},{column.name},<value>'")
                bad, fix = column.check(pd.Series([table.at[item, column.name]]))
                if bad.any():
                    raise AnswerKeyError(f"{path}: {name} {item} {column.name} "
                                         f"{table.at[item, column.name]!r} is not valid; {fix}")
        keys[name] = table.loc[graded, [c.name for c in answer_columns]]
    return keys
