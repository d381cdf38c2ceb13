"""Running the HTTP API and the page: bind, announce, serve until Ctrl+C.

The front end passes `say` for its messages (only cli.py prints) and turns `ServerError`
into its own error.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import webbrowser
from collections.abc import Callable

from . import api


class ServerError(Exception):
    """The server could not start (no free port, not an address of this machine)."""


def run(
    db: str,
    host: str,
    ports: tuple[int, ...],
    token: str | None,
    *,
    open_browser: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> None:
    """Serve `db` on the first of `ports` that is free, until Ctrl+C.

    The socket is bound here, before uvicorn starts, so that the URL announced is the real one (port 0
    included) and a port in use is a one-line error.
    """
    import uvicorn

    loopback = is_loopback(host)
    if not loopback:
        say(
            f"warning: --host {host} lets other machines read the whole database; "
            "serve on 127.0.0.1 unless that is what you want"
        )
    listener = listen(host, ports)
    try:
        # On loopback only loopback names are answered: a web page cannot reach the API by DNS rebinding.
        app = api.create_app(
            db, token=token, allowed_hosts=["127.0.0.1", "localhost", "::1", host.lower()] if loopback else None
        )
    except Exception:
        listener.close()
        raise
    bound = listener.getsockname()[1]
    shown = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{bound}/"
    say(f"serving {db} on {url} (Ctrl+C stops){'; uploads need the token' if token else ''}")
    if open_browser:
        show_in_browser(url)
    config = uvicorn.Config(app, host=host, port=bound, log_level="warning", timeout_graceful_shutdown=3)
    uvicorn.Server(config).run(sockets=[listener])


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, ports: tuple[int, ...]) -> socket.socket:
    """A listening socket on the first free port of `ports`."""
    problem: OSError | None = None
    for port in ports:
        try:
            family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
            return socket.create_server((host, port), family=family)
        except OSError as error:  # in use, or not an address of this machine
            problem = error
    raise ServerError(
        f"cannot listen on {host} port {', '.join(map(str, ports))}: {getattr(problem, 'strerror', None) or problem}"
    )


def show_in_browser(url: str) -> None:
    """Open the page where a desktop can show it; on a bare terminal webbrowser would start a text browser in it."""
    if sys.platform not in ("darwin", "win32") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return
    try:
        webbrowser.open(url)
    except Exception:  # noqa: BLE001 — no browser is no reason to stop serving
        pass
