"""send() quotes the server: the JSON message, PyPI's reason phrase, or a plain-text body."""

from __future__ import annotations

import httpx
import pytest

from pypidesk.client.errors import IndexHTTPError
from pypidesk.client.http import send, server_message


def response(status: int, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", "http://x.test/"), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("made", "message"),
    [
        (response(400, json={"message": "Bad name.", "code": "x"}), "Bad name."),
        (response(422, json={"detail": "Missing field."}), "Missing field."),
        (response(400, json={"detail": [{"loc": ["body"]}]}), "Bad Request"),
        (response(400, json=[1, 2]), "Bad Request"),
        (
            response(500, content=b"{not json", headers={"content-type": "application/json"}),
            "Internal Server Error",
        ),
        (response(400, text="  Plain words.  "), "Plain words."),
        (response(400, text="   "), "Bad Request"),
        (response(599), "no reason given"),
        (
            response(400, extensions={"reason_phrase": b"File already exists."}),
            "File already exists.",
        ),
    ],
)
def test_the_most_specific_text_is_quoted(made: httpx.Response, message: str) -> None:
    assert server_message(made) == message


async def test_send_raises_with_the_servers_words() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"message": "Already there."})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(IndexHTTPError, match=r"answered 409: Already there\.") as caught:
            await send(http, "GET", "http://x.test/thing")
    assert caught.value.status_code == 409
