"""The LLM tagger's options (shared by code and evaluate), its run summary, and `qualcode llm prompt`."""

from __future__ import annotations

import sys

import click

from qualcode.cli.base import cli, codebook_option, load_codebook_file, with_options


def llm_options(command):
    """--llm-url, --llm-model, --llm-concurrency, --refresh, --allow-remote, --no-redact-names."""
    options = [
        click.option("--llm-url", envvar="QUALCODE_LLM_URL",
                     help="OpenAI-compatible endpoint for --tagger llm, e.g. http://127.0.0.1:11434/v1 "
                          "(Ollama); also QUALCODE_LLM_URL; remembered by the project."),
        click.option("--llm-model", envvar="QUALCODE_LLM_MODEL",
                     help="Model name as the server knows it; also QUALCODE_LLM_MODEL; remembered by "
                          "the project."),
        click.option("--llm-concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
                     help="Requests in flight at once."),
        click.option("--refresh", is_flag=True,
                     help="Ask the LLM again even where the project has its answer."),
        click.option("--allow-remote", is_flag=True,
                     help="Allow an LLM server that is not on this machine (turns leave the machine)."),
        click.option("--no-redact-names", is_flag=True,
                     help="Send participants' names as written (default: replaced by pseudonyms)."),
    ]
    return with_options(command, options)


def llm_options_from(llm_url, llm_model, llm_concurrency, refresh, allow_remote, no_redact_names):
    from qualcode.workflows.llm import LLMOptions

    return LLMOptions(url=llm_url, model=llm_model, concurrency=llm_concurrency, refresh=refresh,
                      allow_remote=allow_remote, redact_names=not no_redact_names)


class Progress:
    """A progress bar with the time left, on stderr, made when the total is first known."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, show_eta=True,
                                         file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def echo_llm_summary(job, dry_run: bool) -> None:
    """What the LLM run sent, found in the cache, kept, rejected and how fast."""
    stats = job.stats
    if dry_run:
        click.echo(f"{job.turns} participant turns: {job.turns - job.to_send} answered in the project, "
                   f"{job.to_send} would be sent to {job.endpoint.host} ({job.model})")
        return
    speed = f"{stats.tokens_per_second:.1f} tokens/s" if stats.tokens_per_second else "tokens/s unknown"
    click.echo(f"llm {job.model} (prompt {job.prompt_hash}): {stats.sent} turns sent, {stats.cached} "
               f"from the project's cache; {stats.kept} codings kept, {stats.quotes_rejected} quotes "
               f"rejected, {stats.unknown_codes} unknown codes, {stats.failed} failed turns; "
               f"{stats.seconds:.1f} s, {speed}")


@cli.group()
def llm():
    """See what the LLM tagger sends.

    Example: qualcode llm prompt --codebook codebooks/mentoring_expectations.yaml
    """


@llm.command("prompt")
@codebook_option
def llm_prompt(codebook_path):
    """Print the system part of every request the LLM tagger sends for a codebook.

    Each turn follows it as a message with the speaker's pseudonym and role, the
    facilitator's preceding question as context, and the turn.

    Example: qualcode llm prompt --codebook codebooks/mentoring_expectations.yaml
    """
    from qualcode.tagging.llm.prompt import prompt_hash, system_prompt

    text = system_prompt(load_codebook_file(codebook_path))
    click.echo(text, nl=False)
    click.echo(f"(prompt hash {prompt_hash(text)})")
