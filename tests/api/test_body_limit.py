"""The JSON body limit (MAX_JSON_BYTES) holds over real HTTP whether the body comes with a
Content-Length or chunked (Transfer-Encoding: chunked): the server stops reading past the limit and
answers 413 in the one error shape. Upload routes keep their own, larger limit."""

from __future__ import annotations

import io
import json
import re
import select
import socket
from urllib.parse import urlsplit

from PIL import Image
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests import factories as f
from tests.helpers.openapi_walk import fill_path, token_for

MiB = 1024 * 1024


def _chunked_request(live_url: str, path: str, chunks, headers: dict[str, str] | None = None) -> tuple[int, dict, int]:
    """POST `chunks` as a chunked body over a plain socket, stopping as soon as the server answers.
    Returns (status, JSON body of the answer, bytes of body sent before the answer came)."""
    url = urlsplit(live_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {url.netloc}",
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
        "Connection: close",
    ]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    sent = 0
    try:
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered: it read no further
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed while we were still sending
    answer = b""
    while not _complete(answer):
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        answer += data
    sock.close()
    head_text, _, body = answer.partition(b"\r\n\r\n")
    status = int(head_text.split(b" ", 2)[1])
    return status, json.loads(body), sent


def _complete(answer: bytes) -> bool:
    """The whole answer is in (the server may keep the connection open after it)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(found and length and len(body) >= int(length.group(1)))


def _json_in_chunks(total: int, chunk: int = 64 * 1024):
    """A JSON object {"code": "xxx…"} of about `total` bytes, produced lazily."""
    yield b'{"code": "'
    for _ in range(total // chunk):
        yield b"x" * chunk
    yield b'"}'


def test_a_chunked_json_body_above_the_limit_is_refused_without_being_read(app, live_url):
    limit = app.config["MAX_JSON_BYTES"]
    status, body, sent = _chunked_request(live_url, "/api/v1/auth/wx-login", _json_in_chunks(64 * MiB))
    assert status == 413
    assert body["error"]["code"] == "payload_too_large" and body["error"]["message"] == "提交的内容过大"
    # the server stopped reading at the JSON limit, not at the uploads' one nor at the end of the
    # 64 MiB offered (what went out beyond the limit is what the sockets' buffers took)
    assert limit < sent < app.config["MAX_CONTENT_LENGTH"], sent


def _chunked_environ(path: str, data: bytes, headers: dict[str, str]) -> dict:
    """The WSGI environ of a chunked request: no Content-Length, the server marks the input as ending
    on its own (wsgi.input_terminated), as gunicorn and Werkzeug's server do."""
    environ = EnvironBuilder(
        path=path, method="POST", input_stream=io.BytesIO(data), headers=headers, content_type="application/json"
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    return environ


def test_every_json_operation_refuses_a_chunked_body_above_the_limit(app, client, walk_world):
    """Each operation of the OpenAPI document taking JSON, with a session it accepts and a chunked
    body a little over the limit: 413, never read into a 422 or a success."""
    over = json.dumps({"text": "x" * app.config["MAX_JSON_BYTES"]}).encode()
    document = client.get("/api/v1/openapi.json").get_json()
    refused = []
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            token = token_for(app, operation, walk_world["tokens"])
            environ = _chunked_environ(fill_path(template, walk_world["ids"]), over, f.bearer(token) if token else {})
            environ["REQUEST_METHOD"] = method.upper()
            app_iter, status, _headers = run_wsgi_app(app, environ, buffered=True)
            answer = json.loads(b"".join(app_iter))
            assert status.startswith("413"), (method, template, status, answer)
            assert answer["error"]["code"] == "payload_too_large"
            refused.append(template)
    assert len(refused) > 20


def test_a_chunked_body_within_the_limit_is_read_as_usual(live_url):
    status, body, _ = _chunked_request(live_url, "/api/v1/auth/wx-login", iter([b'{"code": ', b'"invalid-1" }']))
    assert status == 401 and body["error"]["code"] == "wechat_code_invalid"  # read, parsed, and checked


def test_the_same_limit_with_a_content_length(app, live_url):
    import requests

    data = json.dumps({"code": "x" * (app.config["MAX_JSON_BYTES"] + 1)})
    response = requests.post(
        live_url + "/api/v1/auth/wx-login", data=data, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_uploads_keep_their_larger_limit(app, client, live_url):
    """A photo over the JSON limit is still taken (chunked too): uploads have MAX_CONTENT_LENGTH."""
    import requests

    token = f.login_wx(client, f.wx_user())
    image = Image.effect_noise((900, 900), 100).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert out.getbuffer().nbytes > app.config["MAX_JSON_BYTES"]
    boundary = "mingjing-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + out.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = requests.post(
        live_url + "/api/v1/complaint-photos",
        data=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
        headers={**f.bearer(token), "Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
