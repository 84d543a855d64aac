"""Reading content files: any bytes, any size, any link give one plain problem, never a traceback or a leak."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factsheets.content.reading import MAX_BYTES, content_files, read_text
from factsheets.errors import FactsheetsError, Problem


def _problem(path: Path) -> Problem:
    with pytest.raises(FactsheetsError) as err:
        read_text(path)
    (problem,) = err.value.problems
    return problem


def test_utf8_bom_is_dropped_and_line_endings_become_newlines(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: x\r\ntitle: T\rend\n")
    assert read_text(path) == "id: x\ntitle: T\nend\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named_with_or_without_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: A sheet\n", encoding=encoding)
    problem = _problem(path)
    assert problem.message == "file is not UTF-8 text (it is UTF-16)"
    assert problem.file == path
    assert "UTF-8" in problem.fix


def test_nul_byte_is_located(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"id: x\ntitle: a\0b\n")
    problem = _problem(path)
    assert problem.message == "file is not UTF-8 text (it holds a NUL byte, so it is probably binary)"
    assert (problem.line, problem.column) == (2, 9)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "logo.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4)
    assert _problem(path).message.startswith("file is not UTF-8 text")


def test_latin1_byte_is_located(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    problem = _problem(path)
    assert (problem.message, problem.line, problem.column) == (
        "file is not UTF-8 text (byte 0xE9 is not valid UTF-8)",
        1,
        11,
    )


def test_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """The last byte is not UTF-8: had the file been read, that would be the complaint."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"id: big\n" + b"#" * (MAX_BYTES - 8) + b"\xff")
    problem = _problem(path)
    assert problem.message == f"file is too big ({MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,} bytes)"
    assert problem.file == path


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"id: big\n" + b"#" * (MAX_BYTES - 9) + b"\n")
    assert len(read_text(path)) == MAX_BYTES


def test_link_out_of_the_folder_is_refused_without_echoing_the_target(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:SECRET:19000:0:99999:7:::\n", encoding="utf-8")
    (tmp_path / "sheets").mkdir()
    link = tmp_path / "sheets" / "evil.yaml"
    link.symlink_to(secret)
    problem = _problem(link)
    assert "evil.yaml is a link to a file outside sheets/" in problem.message
    assert "SECRET" not in str(problem)
    assert "shadow" not in str(problem)


def test_link_within_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "bone.yaml").write_text("id: bone\n", encoding="utf-8")
    (tmp_path / "bone.yaml").symlink_to(tmp_path / "drafts" / "bone.yaml")
    assert read_text(tmp_path / "bone.yaml") == "id: bone\n"


def test_link_loop_and_dangling_link_are_plain_problems(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert "is a link that leads back to itself" in _problem(tmp_path / "a.yaml").message
    (tmp_path / "c.yaml").symlink_to(tmp_path / "gone.yaml")
    assert _problem(tmp_path / "c.yaml").message == "cannot read the file (No such file or directory)"


def test_pipe_and_folder_are_refused_without_reading(tmp_path: Path) -> None:
    """Reading a named pipe would block forever."""
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "dir.yaml").mkdir()
    assert _problem(tmp_path / "pipe.yaml").message == "not a regular file"
    assert _problem(tmp_path / "dir.yaml").message == "not a regular file"


def test_content_files_match_any_case_and_skip_hidden_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yml", "C.YAML", ".#a.yaml", "notes.txt", "sheet.schema.json"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in content_files(tmp_path, (".yaml", ".yml"))] == ["C.YAML", "a.yaml", "b.yml"]
    assert content_files(tmp_path / "missing", (".md",)) == []
