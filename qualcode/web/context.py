"""What every route shares for one request: the server's settings and caches (the
:class:`Workbench`), the project opened for this request only, the reviewer from the coder
cookie, and page rendering with the package's templates."""

from __future__ import annotations

import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, unquote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from qualcode.store.project import Project, open_project
from qualcode.web import formats
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
    return unquote(request.cookies.get(CODER_COOKIE, "")) or bench(request).settings.coder


def remember_coder(response: Response, name: str) -> None:
    """Keep the person's name for a year in a cookie (percent-encoded: a name may hold any
    letters, and a cookie only Latin-1)."""
    response.set_cookie(CODER_COOKIE, quote(name, safe=""), max_age=365 * 24 * 3600, httponly=True,
                        samesite="strict")


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
