"""Exported files are copies by default (clones where the file system can): writing one never reaches the source."""

from __future__ import annotations

import errno
import os

import pytest

from loraprep.export import clone, export_dataset


def test_default_export_is_not_linked_to_the_sources(dataset):
    _, items, options = dataset
    report = export_dataset(items, "ai-toolkit", options())
    plain = [p for p in report.placed if not p.conversions]
    assert plain and {p.method for p in plain} <= {"copy", "reflink"}
    for placed in plain:
        exported = report.out_dir / placed.relpath
        assert exported.stat().st_ino != placed.item.source.stat().st_ino
        original = placed.item.source.read_bytes()
        with open(exported, "r+b") as handle:  # what a resize script or a trainer writing in place does
            handle.write(b"\xff" * 16)
        assert placed.item.source.read_bytes() == original


@pytest.mark.skipif(clone._FICLONE is None, reason="FICLONE is Linux only")
def test_a_refused_clone_falls_back_to_a_copy_once_per_device_pair(tmp_path, monkeypatch):
    calls = []

    def refuse(fd, request, arg):
        calls.append(request)
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(clone.fcntl, "ioctl", refuse)
    monkeypatch.setattr(clone, "_unclonable", set())
    for i, data in enumerate([b"first", b"second" * 1000, b""]):
        source = tmp_path / f"s{i}.bin"
        source.write_bytes(data)
        assert clone.clone_or_copy(source, tmp_path / f"d{i}.bin") == "copy"
        assert (tmp_path / f"d{i}.bin").read_bytes() == data
    assert calls == [clone._FICLONE]  # the device pair is remembered


@pytest.mark.skipif(clone._FICLONE is None, reason="FICLONE is Linux only")
def test_a_real_io_error_is_not_hidden(tmp_path, monkeypatch):
    def broken(fd, request, arg):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(clone.fcntl, "ioctl", broken)
    monkeypatch.setattr(clone, "_unclonable", set())
    source = tmp_path / "s.bin"
    source.write_bytes(b"data")
    with pytest.raises(OSError) as caught:
        clone.clone_or_copy(source, tmp_path / "d.bin")
    assert caught.value.errno == errno.EIO


def test_a_clone_where_the_file_system_can(tmp_path):
    source = tmp_path / "s.bin"
    source.write_bytes(os.urandom(65536))
    method = clone.clone_or_copy(source, tmp_path / "d.bin")
    assert (tmp_path / "d.bin").read_bytes() == source.read_bytes()
    assert method in ("reflink", "copy")
    if method == "reflink":
        with open(tmp_path / "d.bin", "r+b") as handle:
            handle.write(b"changed")
        assert source.read_bytes()[:7] != b"changed"
