"""The grading sandbox (mlroles.instructor.sandbox) on its own: a real kernel under bwrap, what it can and cannot
reach, and the switch that grades without it. The attacks themselves, graded through the cohort
pipeline, are hostile cases (tests/hostile/cases.csv)."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from mlroles.instructor import sandbox

pytestmark = pytest.mark.slow


def run_in_sandbox(course: Path, own: Path, code: str, enabled: bool = True) -> str:
    """Execute ``code`` in a kernel started by SandboxedKernelManager, as nbgrader starts it; its stdout."""
    from nbclient import NotebookClient

    config = Config()
    config.CourseDirectory.root = str(course)
    config.SandboxedKernelManager.sandbox = enabled
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, kernel_manager_class=sandbox.SandboxedKernelManager, config=config,
                            resources={"metadata": {"path": str(own)}}, timeout=60)
    asyncio.run(client.async_execute())
    return "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    own = root / "autograded" / "s1" / "ex1"
    own.mkdir(parents=True)
    (root / "solutions").mkdir()
    (root / "solutions" / "graded_keys.csv").write_text("dataset,item_id,field,value\nsecret,R1,owner,shared\n")
    (root / "gradebook.db").write_text("not really a database")
    (root / "autograded" / "s2").mkdir()
    (own / "ex1.ipynb").write_text("BEGIN HIDDEN TESTS the key literal")
    (own / "ex1.choices.json").write_text('{"format": 1}')
    return root, own


PROBE = """
import os, socket, mlroles, pandas
def can(f):
    try:
        f(); return "yes"
    except Exception as e:
        return type(e).__name__
print("keys|" + can(lambda: open(%(keys)r).read()))
print("other student|" + can(lambda: os.listdir(%(other)r)))
print("own notebook|" + repr(open("ex1.ipynb").read()))
print("own choices|" + open("ex1.choices.json").read())
print("write own|" + can(lambda: open("out.txt", "w").write("x")))
print("write package|" + can(lambda: open(mlroles.__file__, "r+").close()))   # opened for writing, never written
print("home|" + os.path.expanduser("~"))
print("net|" + can(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1)))
print("pid|" + str(os.getpid()))
"""


def test_a_sandboxed_kernel_sees_its_folder_and_the_package_only(course):
    root, own = course
    out = run_in_sandbox(root, own, PROBE % {"keys": str(root / "solutions" / "graded_keys.csv"),
                                             "other": str(root / "autograded" / "s2")})
    lines = dict(line.split("|", 1) for line in out.strip().splitlines())
    assert lines["keys"] == "FileNotFoundError", out
    assert lines["other student"] == "FileNotFoundError", out
    assert lines["own notebook"] == "''", "the notebook nbgrader filled with hidden tests is masked"
    assert lines["own choices"] == '{"format": 1}'
    assert lines["write own"] == "yes"
    assert lines["write package"] in ("OSError", "PermissionError"), out
    assert lines["home"] == "/tmp/home"
    assert lines["net"] in ("OSError", "ConnectionRefusedError"), out
    assert int(lines["pid"]) < 10, "the kernel has a process namespace of its own"
    assert (own / "out.txt").read_text() == "x"
    assert (root / "gradebook.db").read_text() == "not really a database"


def test_without_the_sandbox_the_same_kernel_reads_the_keys(course):
    """The probe above is not vacuous: unsandboxed, it reaches what the sandbox hides."""
    root, own = course
    out = run_in_sandbox(root, own, PROBE % {"keys": str(root / "solutions" / "graded_keys.csv"),
                                             "other": str(root / "autograded" / "s2")}, enabled=False)
    assert "keys|yes" in out and "other student|yes" in out and "the key literal" in out


def test_the_command_hides_course_repository_home_and_tmp(tmp_path):
    own, ipc = tmp_path / "course" / "autograded" / "s" / "a", tmp_path / "ipc"
    own.mkdir(parents=True)
    ipc.mkdir()
    cmd = sandbox.bwrap_command(["python", "-m", "ipykernel_launcher"], own=own, ipc=ipc,
                                hide=[tmp_path / "course", Path.home()], limits={
                                    "memory_bytes": 1, "cpu_seconds": 2, "file_bytes": 3, "open_files": 4,
                                    "processes": 5}, mask=[own / "a.ipynb"])
    tmpfs = {cmd[i + 1] for i, a in enumerate(cmd) if a == "--tmpfs"}
    assert "/tmp" in tmpfs and str(Path.home().resolve()) in tmpfs
    binds = [(cmd[i + 1], cmd[i + 2]) for i, a in enumerate(cmd) if a == "--bind"]
    assert binds == [(str(ipc.resolve()), str(ipc.resolve())), (str(own.resolve()), str(own.resolve()))]
    masked = [(cmd[i + 1], cmd[i + 2]) for i, a in enumerate(cmd) if a == "--ro-bind"]
    assert (str(ipc.resolve() / "masked"), str((own / "a.ipynb").resolve())) in masked
    assert (ipc / "masked").read_bytes() == b""
    for flag in ("--unshare-all", "--die-with-parent", "--new-session", "--cap-drop"):
        assert flag in cmd
    assert cmd[-3:] == ["python", "-m", "ipykernel_launcher"]
    if shutil.which("prlimit"):
        assert cmd[1:6] == ["--as=1", "--cpu=2", "--fsize=3", "--nofile=4", "--nproc=5"]


def test_grading_stops_with_one_line_where_bwrap_cannot_run(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from mlroles.instructor import sandbox\nprint(sandbox.unavailable_reason())") % str(Path(sandbox.__file__).parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PATH": str(empty)}, timeout=60)
    assert out.stdout.strip().startswith("The grading sandbox needs bubblewrap (bwrap), which is not installed: ")
    assert "apt-get install -y bubblewrap" in out.stdout and "--no-sandbox" in out.stdout
    assert sandbox.unavailable_reason() is None, "bwrap runs on this machine (.ci/run installs it)"


def test_cohort_command_refuses_without_bwrap_and_says_how(tmp_path):
    course = tmp_path / "course"
    (course / "solutions" / "ex1").mkdir(parents=True)
    (course / "submitted" / "s1" / "ex1").mkdir(parents=True)
    env = {"PATH": str(tmp_path / "nothing"), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "mlroles.instructor.cli", "--course", str(course), "grade"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode != 0
    message = (out.stdout + out.stderr).strip()
    assert message.splitlines()[-1].startswith("The grading sandbox needs bubblewrap"), message
    assert "Traceback" not in message
