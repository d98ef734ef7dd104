"""The upload size limit: a request body past the configured size is refused with 413 in the error envelope.

A declared Content-Length over the limit is refused before any byte is read; a body without one (chunked) is
counted as it streams, and reading stops at the limit. FastAPI's own `max_body_size` answers in plain text, which
would break the one-envelope rule, hence this small middleware.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE_KEY = "tradelex.body_too_large"


class BodyTooLargeError(Exception):
    pass


def too_large_document(limit: int) -> dict[str, object]:
    message = f"the request body is over the server's limit of {limit} bytes (TRADELEX_MAX_UPLOAD_BYTES)"
    return {"error": {"type": "ContentTooLarge", "field": "file", "message": message}}


class UploadLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # The form parser turns any error into a 400; the flag lets the error handler answer 413.
                    scope[TOO_LARGE_KEY] = self.max_bytes
                    raise BodyTooLargeError
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(too_large_document(self.max_bytes)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]  # fmt: skip
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
