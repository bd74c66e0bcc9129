"""`make release` (python -m mlroles.release) regenerates the learner release and refuses unsafe sources."""
import shutil
import subprocess
import sys

import pytest

from mlroles import release

pytestmark = pytest.mark.slow


def test_release_command_regenerates_every_assignment(tmp_path, repo):
    root = tmp_path / "course"
    shutil.copytree(repo / "solutions", root / "solutions", ignore=shutil.ignore_patterns("*.choices.json"))
    assert release.release(release.source_assignments(root), root) == []
    for assignment in release.source_assignments(root):
        assert (root / "exercises" / assignment / f"{assignment}.ipynb").is_file()


def test_release_refuses_a_stray_choices_file(tmp_path, repo, capsys):
    root = tmp_path / "course"
    shutil.copytree(repo / "solutions" / "ex1_responsibilities", root / "solutions" / "ex1_responsibilities")
    (root / "solutions" / "ex1_responsibilities" / "ex1_responsibilities.choices.json").write_text("{}")
    errors = release.release(["ex1_responsibilities"], root)
    assert len(errors) == 1 and "Delete it, then release again." in errors[0]
    assert not (root / "exercises").exists()


def test_unknown_assignment_gets_a_clear_message(repo):
    out = subprocess.run([sys.executable, "-m", "mlroles.release", "ex9_nothing"], capture_output=True, text=True,
                         cwd=repo)
    assert out.returncode == 2
    assert out.stdout.startswith("No such assignment in solutions/: ex9_nothing. Available: ex1_responsibilities")
    assert "Traceback" not in out.stdout + out.stderr
