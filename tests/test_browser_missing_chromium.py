"""Without Chromium the browser tests fail (never skip) with one line that says what to do.

No browser and no JupyterLab are started here.
"""
import pytest

import browser_support
from browser_support import CHROMIUM_MISSING, LabBrowser, find_chromium, new_page_or_fail


def test_message_is_one_line_with_the_install_command_ci_uses(repo):
    """The line names the package .ci/run installs when a machine lacks it, so the advice is the fix."""
    assert "\n" not in CHROMIUM_MISSING
    ci = (repo / ".ci" / "run").read_text(encoding="utf-8")
    assert "missing+=(chromium)" in ci and "apt-get install -y" in ci
    assert "apt-get install -y chromium" in CHROMIUM_MISSING


def test_find_chromium_prefers_debian_path_then_path(tmp_path):
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert find_chromium(candidates=(str(exe),), which=lambda name: "/elsewhere/chromium") == str(exe)
    missing = str(tmp_path / "no-such-chromium")
    assert find_chromium(candidates=(missing,), which=lambda name: "/elsewhere/chromium") == "/elsewhere/chromium"
    assert find_chromium(candidates=(missing,), which=lambda name: None) is None
    not_executable = tmp_path / "plain-file"
    not_executable.write_text("")
    assert find_chromium(candidates=(str(not_executable),), which=lambda name: None) is None


def test_missing_chromium_fails_the_test_with_one_line(monkeypatch):
    monkeypatch.setattr(browser_support, "find_chromium", lambda *a, **k: None)
    browser = LabBrowser()
    with pytest.raises(pytest.fail.Exception) as failed:
        new_page_or_fail(browser)
    assert str(failed.value) == CHROMIUM_MISSING
    assert failed.value.pytrace is False   # pytest prints the line, not a traceback
    browser.close()
