"""A fault-injection HTTP server for the hostile-web suite (asyncio streams; 127.0.0.1; started by tests).

Each path is a scenario (see SCENARIOS). ``python -m tests.faultserver`` prints ``PORT n`` when ready.
"""

from __future__ import annotations

import asyncio
import sys
import zlib

ARTICLE = ("<!DOCTYPE html><html lang='en'><head><meta charset='{cs}'><title>{title}</title></head><body>"
           "<article><h1>{title}</h1>{paras}</article></body></html>")
PARA = "<p>The council met on Tuesday to discuss the new budget for schools, roads and the river bridge {i}.</p>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


_BOMB: list[bytes] = []


def gzip_bomb() -> bytes:
    """~200 KB of gzip that inflates to 200 MB (built once)."""
    if not _BOMB:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = b"\0" * (1024 * 1024)
        parts = [z.compress(b"<html>")] + [z.compress(zeros) for _ in range(200)] + [z.flush()]
        _BOMB.append(b"".join(parts))
    return _BOMB[0]


def article(title="A normal article", cs="utf-8", n=12, extra="") -> str:
    return ARTICLE.format(cs=cs, title=title, paras="".join(PARA.format(i=i) for i in range(n)) + extra)


class State:
    def __init__(self):
        self.hits: dict[str, int] = {}


def response(status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers=None,
             length: int | None = None) -> bytes:
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests",
              500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "X")
    head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}",
            f"Content-Length: {len(body) if length is None else length}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, state: State, port: int):
    try:
        line = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        target = line.split()[1].decode() if len(line.split()) > 1 else "/"
        state.hits[target] = hits = state.hits.get(target, 0) + 1  # per URL, query included
        await scenario(target.split("?", 1)[0], hits, writer, port)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def scenario(path: str, hits: int, w: asyncio.StreamWriter, port: int):  # noqa: C901 - a table of cases
    send = w.write
    if path == "/robots.txt":
        send(response(200, b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    elif path == "/ok":
        send(response(200, article().encode()))
    elif path == "/timeout":
        await asyncio.sleep(3600)
    elif path == "/trickle":
        body = article().encode()
        send(response(200, b"", length=len(body)))
        for i in range(0, len(body), 8):
            w.write(body[i:i + 8])
            await w.drain()
            await asyncio.sleep(0.5)
    elif path in ("/429", "/503"):
        code = int(path[1:])
        send(response(code, b"slow down", "text/plain", {"Retry-After": "1"}) if hits == 1
             else response(200, article("Recovered after Retry-After").encode()))
    elif path == "/500-then-ok":
        send(response(500, b"oops", "text/plain") if hits == 1 else response(200, article("Second time lucky").encode()))
    elif path == "/redirect-loop":
        send(response(302, b"", headers={"Location": "/redirect-loop-b"}))
    elif path == "/redirect-loop-b":
        send(response(302, b"", headers={"Location": "/redirect-loop"}))
    elif path == "/redirect-private":
        send(response(302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    elif path == "/huge":
        chunk = b"<p>" + b"x" * 1020 + b"</p>"
        send(response(200, b"", length=50 * 1024 * 1024))
        for _ in range(50 * 1024):
            w.write(chunk)
            await w.drain()
    elif path == "/gzip-bomb":
        send(response(200, gzip_bomb(), headers={"Content-Encoding": "gzip"}))
    elif path == "/wrong-charset":  # declares utf-8, is windows-1252
        send(response(200, article("Café owners’ “strike”", cs="utf-8").encode("cp1252"), "text/html; charset=utf-8"))
    elif path == "/no-charset":
        send(response(200, article("Naïve résumé", cs="").replace("<meta charset=''>", "").encode("utf-8"), "text/html"))
    elif path == "/windows-1252":
        send(response(200, article("Smart “quotes” — dash", cs="windows-1252").encode("cp1252"),
                      "text/html; charset=windows-1252"))
    elif path == "/shift-jis":
        html = article("日本語の記事", cs="shift_jis", extra="<p>" + "東京で会議が開かれた。" * 20 + "</p>")
        send(response(200, html.encode("shift_jis"), "text/html; charset=shift_jis"))
    elif path == "/pdf-as-html":
        send(response(200, PDF, "text/html"))
    elif path == "/pdf":
        send(response(200, PDF, "application/pdf"))
    elif path == "/image-as-html":
        send(response(200, PNG, "text/html"))
    elif path == "/image":
        send(response(200, PNG, "image/png"))
    elif path == "/empty":
        send(response(200, b""))
    elif path == "/truncated":
        body = article().encode()
        send(response(200, body[: len(body) // 2], length=len(body)))
    elif path == "/hang-up":  # the request is read, then the connection closed without a byte of answer
        return
    elif path == "/no-article":
        send(response(200, b"<html><body><nav><a href='/a'>Home</a> <a href='/b'>World</a></nav></body></html>"))
    elif path.startswith("/private/"):
        send(response(200, article("Should never be fetched").encode()))
    elif path == "/malformed":
        body = article("Broken <b>markup", n=10).replace("</p>", "").replace("</article>", "<div><span>")
        send(response(200, ("<html><head><title>Broken" + body).encode()))
    else:
        send(response(404, b"<html><body>not found</body></html>"))
    await w.drain()


SCENARIOS = ["/ok", "/timeout", "/trickle", "/429", "/503", "/500-then-ok", "/redirect-loop", "/redirect-private",
             "/huge", "/gzip-bomb", "/wrong-charset", "/no-charset", "/windows-1252", "/shift-jis", "/pdf-as-html",
             "/pdf", "/image-as-html", "/image", "/empty", "/truncated", "/no-article", "/private/secret",
             "/malformed", "/missing", "/hang-up"]


async def main(port: int = 0, host: str = "127.0.0.1"):
    state = State()
    gzip_bomb()  # built before serving, so no request waits on it
    holder = {}
    server = await asyncio.start_server(lambda r, w: handle(r, w, state, holder["port"]), host, port)
    holder["port"] = server.sockets[0].getsockname()[1]
    print(f"PORT {holder['port']}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0, sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"))
    except KeyboardInterrupt:
        pass
