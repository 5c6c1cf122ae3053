"""The small parts of the publish steps: credentials, processes, the form's stream, commands."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
import pytest

from pypidesk.client.errors import IndexUnreachableError
from pypidesk.publish.distfile import inspect
from pypidesk.publish.errors import UploadRefusedError
from pypidesk.publish.multipart import MultipartForm
from pypidesk.publish.process import run_streamed, stop
from pypidesk.publish.tryit import TryItResult, run_command
from pypidesk.publish.upload import LegacyPublisher, credentials, upload_form
from tests.index.upload.dists import make_wheel


def test_a_pypi_token_always_goes_as_token_and_a_password_with_its_user() -> None:
    assert credentials("alice", None) is None
    token = credentials("alice", "pypi-abc")
    assert token is not None
    assert token._auth_header == httpx.BasicAuth("__token__", "pypi-abc")._auth_header
    password = credentials("alice", "secret")
    assert password is not None
    assert password._auth_header == httpx.BasicAuth("alice", "secret")._auth_header
    nameless = credentials(None, "secret")
    assert nameless is not None
    assert nameless._auth_header == httpx.BasicAuth("__token__", "secret")._auth_header


async def test_the_form_streams_as_multipart_with_its_exact_length(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(os.urandom(700_000))
    form = MultipartForm([("name", 'quote " and back\\slash'), ("é", "ü")], "content", path)
    seen: list[int] = []
    body = b"".join([chunk async for chunk in form.body(seen.append)])
    assert len(body) == form.length == sum(seen)
    assert form.content_type.endswith(form.boundary)
    assert b'name="name"\r\n\r\nquote " and back\\slash\r\n' in body
    assert body.endswith(f"--{form.boundary}--\r\n".encode())


async def test_a_touched_file_with_the_same_bytes_is_read_again_and_sent(tmp_path: Path) -> None:
    dist = make_wheel("touch-demo", "1.0")
    path = tmp_path / dist.filename
    path.write_bytes(dist.data)
    info = inspect(path)
    os.utime(path, ns=(info.mtime_ns + 10**9, info.mtime_ns + 10**9))
    assert upload_form(info) == list(info.fields)


async def test_an_index_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    dist = make_wheel("gone-demo", "1.0")
    path = tmp_path / dist.filename
    path.write_bytes(dist.data)
    async with httpx.AsyncClient() as http:
        publisher = LegacyPublisher(http, "http://127.0.0.1:9/legacy/", token="pypi-x")
        with pytest.raises(IndexUnreachableError, match="Could not reach"):
            await publisher.publish([inspect(path)], lambda _p: None)


async def test_a_redirect_is_refused_as_twine_refuses_it(tmp_path: Path) -> None:
    dist = make_wheel("moved-demo", "1.0")
    path = tmp_path / dist.filename
    path.write_bytes(dist.data)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(308, headers={"Location": "/legacy/"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        publisher = LegacyPublisher(http, "http://index/legacy", token="pypi-x")
        with pytest.raises(UploadRefusedError) as refused:
            await publisher.publish([inspect(path)], lambda _p: None)
    assert refused.value.status_code == 308
    assert "trailing slash" in refused.value.hint


async def test_stopping_a_finished_process_is_harmless() -> None:
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    await stop(process)
    lines: list[str] = []
    finished = await run_streamed(
        [sys.executable, "-c", "print('a'); print('b')"], on_line=lines.append
    )
    # (Under coverage a child may print a warning of its own after these.)
    assert (finished.returncode, finished.tail[:2], lines[:2]) == (0, ["a", "b"], ["a", "b"])


async def test_a_command_runs_from_the_venv_first_or_from_path(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    script = venv / "bin" / "hello-tool"
    script.write_text("#!/bin/sh\necho from the venv\n")
    script.chmod(0o755)
    env = {"PATH": os.environ["PATH"]}
    lines: list[str] = []
    assert await run_command("hello-tool --x", venv, env, tmp_path, lines.append) == 0
    assert lines == ["$ hello-tool --x", "from the venv"]
    assert await run_command("sh -c 'exit 3'", venv, env, tmp_path, lines.append) == 3
    assert await run_command("no-such-tool-here", venv, env, tmp_path, lines.append) == 127


def test_a_try_passes_only_with_imports_and_a_clean_command() -> None:
    assert TryItResult(("a",), (), None).ok
    assert TryItResult(("a",), (), 0).ok
    assert not TryItResult(("a",), (), 1).ok
    assert not TryItResult((), (), None).ok
    assert not TryItResult(("a",), ("b: ImportError",), None).ok


def test_an_isolated_build_is_the_default(tmp_path: Path) -> None:
    from pypidesk.publish.build import build_command

    assert "--no-isolation" not in build_command(tmp_path, tmp_path / "dist")
    assert "--no-isolation" in build_command(tmp_path, tmp_path / "dist", isolation=False)


def test_a_file_twine_does_not_know_is_an_invalid_distribution(tmp_path: Path) -> None:
    from pypidesk.publish.errors import InvalidDistError

    path = tmp_path / "a-1.0.exe"
    path.write_bytes(b"MZ")
    with pytest.raises(InvalidDistError, match="Unknown distribution format"):
        inspect(path)


async def test_a_venv_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    from pypidesk.publish.errors import TryItError
    from pypidesk.publish.tryit import try_release

    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "venv").write_text("a file where the venv should go")
    with pytest.raises(TryItError, match="Could not create a virtual environment"):
        await try_release(
            "http://127.0.0.1:9/simple/", "a", "1.0", workdir=blocked, on_line=lambda _l: None
        )
