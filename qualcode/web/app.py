"""The workbench as an ASGI application (Starlette): the route table, static files and error
pages; the per-request plumbing (the project opened for each request, the reviewer from a
cookie, templates) is :mod:`qualcode.web.context`.

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

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from qualcode.core.errors import ProjectError, QualcodeError
from qualcode.store.project import open_project
from qualcode.web import actions, pages, panels
from qualcode.web.context import NoCoder, Settings, Workbench, render, templates
from qualcode.web.security import Guard

__all__ = ["Settings", "create_app"]


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
