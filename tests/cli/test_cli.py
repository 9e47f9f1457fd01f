"""The CLI contract: exit codes, --json purity, one-line errors with hints, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

from loraprep.cli.app import main


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "loraprep", *args], capture_output=True, text=True, env=env)


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("loraprep ")
    r = run("--help")
    assert r.returncode == 0 and "scan" in r.stdout


def test_json_scan_output_is_only_json(small_dataset, source_guard):
    source_guard(small_dataset)
    r = run("scan", str(small_dataset), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["totals"]["images"] == 4
    r = run("--json", "status", str(small_dataset))
    assert json.loads(r.stdout)["totals"]["captioned"] == 1


def test_missing_folder_is_one_line_and_exit_1(tmp_path):
    r = run("scan", str(tmp_path / "nope"))
    assert r.returncode == 1
    assert r.stderr.startswith("error: dataset folder not found") and "hint:" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_usage_error_is_exit_2():
    r = run("scan")
    assert r.returncode == 2


def test_status_before_scan_hints_next_command(tmp_path):
    r = run("status", str(tmp_path))
    assert r.returncode == 1 and "loraprep scan" in r.stderr


def test_import_does_not_load_heavy_modules():
    # Every command starts by importing the CLI and ops: numpy alone is a sixth of a second of that start.
    code = ("import sys, loraprep, loraprep.cli.app, loraprep.cli.commands, loraprep.ops; "
            "heavy = [m for m in ('onnxruntime', 'fastapi', 'torch', 'ray', 'numpy', 'PIL', 'av', 'pyarrow') "
            "if m in sys.modules]; print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "[]"


def test_in_process_main_exit_codes(tmp_path, capsys):
    try:
        main(["scan", str(tmp_path / "missing")])
    except SystemExit as exc:
        assert exc.code == 1
    assert "error:" in capsys.readouterr().err


def test_names_with_control_characters_print_on_one_line(tmp_path, capfd):
    """A folder named with a newline (and a file named with Rich markup) prints escaped, one message a line."""
    from tests.cli.test_commands import invoke
    from tests.conftest import make_image

    root = tmp_path / "ds"
    odd = root / "bad\nname"
    make_image(odd / "a.png", (90, 90))
    (odd / "a.txt").write_bytes(b"caf\xe9, smile")  # not UTF-8: a failure whose reason names the caption too
    (odd / "b.png").write_bytes(b"not an image")     # a failure
    (root / "x[red").mkdir()
    (root / "x[red" / "q].png").write_bytes(b"nope")
    (root / "r\u202el").mkdir()
    (root / "r\u202el" / "c.png").write_bytes(b"nope either")
    done = invoke(capfd, "scan", root)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "failed bad\\nname/b.png: not an image (unrecognised format)" in lines
    assert any(line.startswith("failed bad\\nname/a.png: ") and "bad\\nname/a.txt" in line for line in lines)
    assert any(line.startswith("failed x[red/q].png: ") for line in lines)
    assert any(line.startswith("failed r\\u202el/c.png: ") for line in lines)
    assert "\u202e" not in done.stdout and not any(line.startswith("name/") for line in lines)
    missing = invoke(capfd, "status", tmp_path / "no\nsuch")
    assert missing.returncode == 1 and len(missing.stderr.splitlines()) == 2  # the error and its hint
    assert "no\\nsuch" in missing.stderr.splitlines()[0]
