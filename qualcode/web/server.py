"""Run the workbench with uvicorn: on 127.0.0.1 by default; on any other address only with a
random access token, printed with the address to open.

    >>> from qualcode.web.server import serve
    >>> serve("study.qcproj", port=8765, coder="alice")        # blocks until Ctrl-C
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from qualcode.core.errors import ParameterError
from qualcode.web.app import Settings, create_app
from qualcode.web.security import is_loopback, new_token

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@dataclass
class Plan:
    """Where the workbench listens and the address a person opens."""

    host: str
    port: int
    token: str | None
    url: str


def plan(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Plan:
    """The address to listen on and to open; a token when ``host`` is not loopback.  Port 0
    takes a free port; a port in use is a :class:`~qualcode.core.errors.ParameterError`."""
    if not 0 <= port <= 65535:
        raise ParameterError(f"port must be between 0 and 65535, not {port}")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ParameterError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): "
                                 "choose another --port (0 takes a free one)") from None
        port = probe.getsockname()[1]
    token = None if is_loopback(host) else new_token()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    return Plan(host, port, token, url)


def serve(project: str | Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          coder: str | None = None, codebook: str | None = None, open_browser: bool = True,
          announce: Callable[[str], None] = print) -> None:
    """Serve ``project`` until interrupted; ``announce`` receives the lines to show the person
    (the address, and the token's meaning when there is one)."""
    import uvicorn

    where = plan(host, port)
    app = create_app(Settings(project, coder=coder, codebook=codebook, token=where.token,
                              port_tag=str(where.port)))
    announce(f"qualcode workbench for {Path(project).name}: open {where.url}")
    if where.token:
        announce(f"listening on {where.host}:{where.port} for other machines: every request needs the "
                 "access token in that address (share it only with your team); Ctrl-C stops")
    else:
        announce("only this computer can reach it; Ctrl-C stops")
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(where.url,)).start()
    uvicorn.run(app, host=where.host, port=where.port, log_level="warning", access_log=False)
