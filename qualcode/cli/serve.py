"""The ``serve`` command: the coding workbench in the browser."""

from __future__ import annotations

import click

from qualcode.cli.base import cli, project_argument


@cli.command()
@project_argument
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--coder", help="Your name for your codings (default: asked on the first visit).")
@click.option("--codebook", "codebook_name",
              help="Codebook name to review (default: the most recently added one with codings).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1/localhost opens the workbench to "
                   "other machines and requires a random access token, printed at start.")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
def serve(project, port, coder, codebook_name, host, no_browser):
    """Review machine codes in the transcripts, in the browser (a local web app).

    Read each transcript with its codes, accept (a) or reject (x) suggestions,
    code selected words, and watch each tagger's agreement with you.
    Every decision is stored in the project at once.

    Example: qualcode serve study.qcproj --coder alice
    """
    from qualcode.web.server import serve as run

    run(project, host=host, port=port, coder=coder, codebook=codebook_name, open_browser=not no_browser,
        announce=click.echo)
