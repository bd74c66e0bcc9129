"""Every source id the course names, in a dataset, a notebook's text or code, or a README, is a row of
the registry (datasets/sources.csv): a citation a learner or an instructor follows always resolves."""
import json
import re

import pytest

from mlroles import data

PREFIXES = sorted({s.split("-")[0] for s in data.load_sources()["source_id"]})
ID = re.compile(rf"\b(?:{'|'.join(PREFIXES)})-\d{{4}}\b")


def texts(repo):
    """(file, text) for every notebook cell and every README or module that may cite a source id."""
    for path in sorted([*repo.glob("course/*.ipynb"), *repo.glob("solutions/*/*.ipynb"), *repo.glob("exercises/*/*.ipynb")]):
        for n, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            yield f"{path.relative_to(repo)} cell {n}", source
    for path in [repo / "README.md", *repo.glob("solutions/*.md"), *repo.glob("datasets/*.md"),
                 *repo.glob("mlroles/**/*.py"), *repo.glob("datasets/**/*.csv")]:
        if path.name != "sources.csv":
            yield str(path.relative_to(repo)), path.read_text(encoding="utf-8")


def test_every_named_source_id_is_in_the_registry(repo):
    known = set(data.load_sources()["source_id"])
    named, unknown = set(), []
    for where, text in texts(repo):
        for source_id in ID.findall(text):
            named.add(source_id)
            if source_id not in known:
                unknown.append(f"{where}: {source_id}")
    assert len(named) > 20, "the scan finds the ids the course cites"
    assert not unknown, "not in datasets/sources.csv: " + "; ".join(unknown)


@pytest.mark.parametrize("text, found", [("see roles-2527 and platform-3115", ["roles-2527", "platform-3115"]),
                                         ("a role-2527 or roles-25270", [])])
def test_the_scan_finds_ids_and_only_ids(text, found):
    assert ID.findall(text) == found
