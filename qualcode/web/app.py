"""The workbench as an ASGI application (Starlette): routes, templates, static files, and the
per-request plumbing (the project opened for each request, the reviewer from a cookie).

    >>> from qualcode.web.app import Settings, create_app
    >>> app = create_app(Settings(project="study.qcproj"))   # serve with uvicorn, or test
    >>>                                                        # with starlette's TestClient

Every route calls library functions (:mod:`qualcode.workflows.review`,
:mod:`qualcode.workflows.learning`, :mod:`qualcode.analysis`, :mod:`qualcode.export`);
none reads a file path from the request.  The project is opened for each request and
closed after it, so several browser tabs, people and ``qualcode`` commands can use it at
once (SQLite's locking; a write waits for another process's write to finish).
"""

from __future__ import annotations

import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from qualcode.core.errors import ProjectError, QualcodeError
from qualcode.store.project import Project, open_project
from qualcode.web import formats
from qualcode.web.security import Guard
from qualcode.workflows.review import Reviewer, reviewer

CODER_COOKIE = "qc_coder"


@dataclass
class Settings:
    """What ``qualcode serve`` was told: the project, the default coder and codebook, and the
    access token (None: loopback only, no token)."""

    project: str | Path
    coder: str | None = None
    codebook: str | None = None
    token: str | None = None
    port_tag: str = "0"     # tells apart the cookies of workbenches on other ports


@dataclass
class Workbench:
    """What lives as long as the server: settings, the CSRF secret, caches."""

    settings: Settings
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    codebooks: dict = field(default_factory=dict)      # codebook id -> Codebook (or None)
    models: dict = field(default_factory=dict)         # (coder, codebook id) -> ModelFile
    training: threading.Lock = field(default_factory=threading.Lock)


def templates() -> jinja2.Environment:
    """Templates from the package, every value escaped (also in files not ending in .html)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("qualcode.web", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(formats.FILTERS)
    return env


def bench(request: Request) -> Workbench:
    return request.app.state.bench


@contextmanager
def project_for(request: Request) -> Iterator[Project]:
    """The project, open for this request only."""
    project = open_project(bench(request).settings.project)
    try:
        yield project
    finally:
        project.close()


def coder_of(request: Request) -> str | None:
    return request.cookies.get(CODER_COOKIE) or bench(request).settings.coder


class NoCoder(Exception):
    """The person has not named themselves yet: pages send them to the form first."""


def reviewer_for(request: Request, project: Project) -> Reviewer:
    """This request's reviewer (:class:`NoCoder` when the person has not named themselves)."""
    coder = coder_of(request)
    if not coder:
        raise NoCoder()
    return reviewer(project, coder, bench(request).settings.codebook)


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("page", "")
    page = request.app.state.templates.get_template(template).render(
        request=request, csrf=request.state.csrf, coder=coder_of(request),
        project_name=Path(bench(request).settings.project).name, **context)
    return HTMLResponse(page, status_code=status_code)


async def _ask_for_coder(request: Request, exc: NoCoder) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "name yourself first (reload the page)"}, status_code=400)
    return RedirectResponse(f"/coder?next={request.url.path}", status_code=303)


async def _error(request: Request, exc: QualcodeError) -> Response:
    status = 409 if isinstance(exc, ProjectError) else 400
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(exc)}, status_code=status)
    return render(request, "error.html", status_code=status, message=str(exc))


def create_app(settings: Settings) -> Starlette:
    """The workbench for ``settings.project`` (which must exist: checked here)."""
    from qualcode.web import actions, pages, panels

    open_project(settings.project).close()  # a missing or foreign file fails now, not per request
    routes = [
        Route("/", pages.documents),
        Route("/coder", pages.coder_form, methods=["GET", "POST"]),
        Route("/documents/{document_id:int}", pages.transcript),
        Route("/agreement", panels.agreement),
        Route("/analysis", panels.analysis),
        Route("/analysis/chart.svg", panels.chart),
        Route("/download/{what:str}", panels.download),
        Route("/api/decide", actions.decide, methods=["POST"]),
        Route("/api/code", actions.code_span, methods=["POST"]),
        Route("/api/undo", actions.undo, methods=["POST"]),
        Route("/api/train", actions.train, methods=["POST"]),
        Route("/api/uncertain", actions.uncertain),
        Mount("/static", StaticFiles(packages=[("qualcode.web", "static")]), name="static"),
    ]
    state = Workbench(settings)
    app = Starlette(routes=routes, exception_handlers={QualcodeError: _error, NoCoder: _ask_for_coder},
                    middleware=[Middleware(Guard, token=settings.token, port_tag=settings.port_tag,
                                           secret=state.secret)])
    app.state.bench = state
    app.state.templates = templates()
    return app
