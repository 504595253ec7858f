"""On a Linux desktop without the X11 libraries Qt needs, the app says in one sentence what to
install instead of Qt's abort; elsewhere the check stays out of the way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skingan_desktop.ui.platform_check import platform_problem, uses_x11
from tests.conftest import REPO


@pytest.fixture()
def plugin_needing_a_missing_library(tmp_path: Path) -> Path:
    """A stand-in for Qt's libqxcb.so, linked against a library that is then removed."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("needs a C compiler to build a shared library")
    (tmp_path / "lack.c").write_text("int lacking(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int lacking(void);\nint plugin(void) { return lacking(); }\n")
    lacking = tmp_path / "libxcb-skingan-test.so.0"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", lacking, tmp_path / "lack.c",
                    "-Wl,-soname,libxcb-skingan-test.so.0"], check=True)
    plugin = tmp_path / "libqxcb.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", plugin, tmp_path / "plugin.c", f"-L{tmp_path}",
                    "-l:libxcb-skingan-test.so.0"], check=True)
    lacking.unlink()
    return plugin


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 libraries are a Linux matter")
def test_a_missing_x11_library_is_named_with_what_to_install(plugin_needing_a_missing_library: Path) -> None:
    problem = platform_problem({"DISPLAY": ":0"}, plugin_needing_a_missing_library)

    assert problem is not None and "\n" not in problem
    assert "libxcb-skingan-test.so.0" in problem and "sudo apt install" in problem and "libxcb-cursor0" in problem
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, plugin_needing_a_missing_library) is None
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0"}, plugin_needing_a_missing_library) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 libraries are a Linux matter")
def test_the_app_started_without_them_ends_in_that_sentence(plugin_needing_a_missing_library: Path) -> None:
    script = ("import sys\nfrom pathlib import Path\nimport skingan_desktop.ui.platform_check as check\n"
              f"check.x11_plugin = lambda: Path({str(plugin_needing_a_missing_library)!r})\n"
              "from skingan_desktop.cli import main\nsys.exit(main([]))\n")
    environment = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99", "HOME": str(REPO)}

    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one sentence, no Qt paragraph
    assert "libxcb-skingan-test.so.0" in result.stderr and "Traceback" not in result.stderr


def test_the_x11_plugin_is_judged_only_when_qt_will_use_it() -> None:
    assert uses_x11({"DISPLAY": ":0"}) and uses_x11({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"})
    assert not uses_x11({"QT_QPA_PLATFORM": "offscreen"}) and not uses_x11({"WAYLAND_DISPLAY": "wayland-0"})
    assert not uses_x11({"QT_QPA_PLATFORM": "wayland;xcb"})
