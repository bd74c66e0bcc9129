"""Citations render from the registry with the checked timestamp; the references table says when
the page was wrong, the citation a learner reads does not."""
import pytest

from mlroles import sources
from mlroles.sources import UnknownSourceError


def test_cite_a_verified_passage():
    assert sources.cite("roles-1704") == "Data Team Roles Explained (S1E1, Alexey Grigorev), 17:04"


def test_cite_a_corrected_passage_gives_the_real_time_and_speaker_only():
    text = sources.cite("platform-5415")
    assert text == "Building Production ML Platforms (S14E8, Simon Stiebellehner), 55:29, said by Alexey Grigorev"
    assert "source page" not in text


def test_unknown_id_says_what_ids_look_like():
    with pytest.raises(UnknownSourceError) as caught:
        sources.cite("roles-4011")
    assert str(caught.value).startswith("'roles-4011' is not a source id in datasets/sources.csv")
    with pytest.raises(UnknownSourceError):
        sources.cite(None)


def test_references_table_keeps_order_and_drops_repeats():
    table = sources.references(["mleng-4423", "roles-1704", "mleng-4423"])
    assert list(table.index) == ["mleng-4423", "roles-1704"]
    assert list(table.columns) == ["episode", "guest", "timestamp", "speaker", "what is said there", "checked"]
    assert table.loc["mleng-4423", "timestamp"] == "44:47"
    assert table.loc["mleng-4423", "checked"].startswith("the source page cites 44:23: ")
    assert table.loc["roles-1704", "checked"].startswith("as the source page cites it")


def test_passages_the_course_added_are_marked_as_such():
    table = sources.references(["roles-3852"])
    assert table.loc["roles-3852", "checked"] == "added by the course; checked against the transcript"


def test_read_more_names_the_place_then_the_first_cited_passage():
    from mlroles import course

    where = f"lesson “{course.lesson_title('04_production_handoff')}”"
    assert where == "lesson “The production handoff”"
    assert sources.read_more(where, ["roles-1704", "mleng-4423"]) == (
        "lesson “The production handoff”; Data Team Roles Explained (S1E1, Alexey Grigorev), 17:04")
    assert sources.read_more(where, []) == "lesson “The production handoff”"
    assert course.lesson_title("99_unknown") == "99_unknown"
