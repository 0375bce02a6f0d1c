"""Talk to an OpenAI-compatible chat-completions endpoint that the researcher runs or names
(Ollama, llama.cpp's server, vLLM, LM Studio all speak it).

    >>> endpoint = check_endpoint("http://127.0.0.1:11434/v1")
    >>> client = ChatClient(endpoint, "qwen2.5:7b-instruct")
    >>> client.chat(messages, schema).content

- **Where**: :func:`check_endpoint` accepts http(s) URLs whose host is this machine (an
  address in 127.0.0.0/8 or ``::1``, or a name that resolves only to such addresses, like
  ``localhost``); any other host is refused unless ``allow_remote``.  Proxies from the
  environment are never used (``trust_env=False``), so a loopback request stays on the machine.
- **What**: ``POST {url}/chat/completions`` with temperature 0 and a fixed seed, asking for
  the answer as JSON with ``response_format``: a JSON schema first; a server that answers
  HTTP 400 to that is asked with ``{"type": "json_object"}``, then with no
  ``response_format`` (the answer is then parsed from plain text).  The first refusal is
  remembered for the rest of the run.
- **Retries**: HTTP 429 and 5xx, timeouts and dropped connections are retried ``retries``
  times with exponential backoff (``backoff``, twice that, ...).  Then a timeout or server
  error fails that turn (:class:`TurnFailed`); a server that cannot be reached at all, or any
  other HTTP error (unknown model, bad URL), stops the run (:class:`~qualcode.core.errors.LLMError`).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass

import httpx

from qualcode.core.errors import LLMError

SCHEMES = ("http", "https")
#: How the answer's format is asked for, in the order tried.
FORMATS = ("json_schema", "json_object", "text")


@dataclass(frozen=True)
class Endpoint:
    url: str      # the base URL, no trailing slash: requests go to {url}/chat/completions
    host: str
    remote: bool  # the host is not this machine (allowed with allow_remote only)


def check_endpoint(url: str, allow_remote: bool = False) -> Endpoint:
    """The endpoint at ``url``, or :class:`LLMError` when it is not one qualcode may send to."""
    try:
        parsed = httpx.URL(str(url).strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise LLMError(f"--llm-url {url!r} is not a URL (e.g. http://127.0.0.1:11434/v1)") from None
    if parsed.scheme not in SCHEMES or not parsed.host:
        raise LLMError(f"--llm-url {url!r} must be an http:// or https:// URL with a host "
                       "(e.g. http://127.0.0.1:11434/v1)")
    remote = not is_loopback(parsed.host, parsed.port)
    if remote and not allow_remote:
        raise LLMError(f"--llm-url host {parsed.host} is not this machine: transcripts are confidential, "
                       "so qualcode sends turns only to a server on 127.0.0.1, ::1 or localhost; "
                       "add --allow-remote to send them to this host")
    return Endpoint(str(parsed).rstrip("/"), parsed.host, remote)


def is_loopback(host: str, port: int | None = None) -> bool:
    """True when ``host`` is a loopback address, or a name that resolves only to loopback ones."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {info[4][0].split("%")[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


class TurnFailed(Exception):
    """No answer for one turn after every retry (timeouts, HTTP 429 or 5xx)."""


class FormatRefused(Exception):
    """The server answered HTTP 400 to a request with ``response_format``."""


@dataclass
class Completion:
    content: str
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds: float


class ChatClient:
    """Chat completions from one model at one endpoint; safe to call from several threads."""

    def __init__(self, endpoint: Endpoint, model: str, *, timeout: float = 120.0, retries: int = 4,
                 backoff: float = 1.0, seed: int = 0):
        self.endpoint = endpoint
        self.model = model
        self.retries = retries
        self.backoff = backoff
        self.seed = seed
        self.format = FORMATS[0]
        self.retried = 0  # requests sent again after a timeout or an HTTP 429/5xx
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=timeout, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def chat(self, messages: list[dict], schema: dict) -> Completion:
        """The model's answer to ``messages``, asked as JSON following ``schema`` if the server can."""
        while True:
            mode = self.format
            try:
                return self._post(self._body(messages, schema, mode))
            except FormatRefused:
                with self._lock:
                    if self.format == mode:  # another thread may have stepped down already
                        self.format = FORMATS[FORMATS.index(mode) + 1]

    def _body(self, messages: list[dict], schema: dict, mode: str) -> dict:
        body = {"model": self.model, "messages": messages, "temperature": 0, "seed": self.seed,
                "stream": False}
        if mode == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "codes", "strict": True, "schema": schema}}
        elif mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def _post(self, body: dict) -> Completion:
        url = self.endpoint.url + "/chat/completions"
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                with self._lock:
                    self.retried += 1
                time.sleep(self.backoff * 2 ** (attempt - 1))
            started = time.monotonic()
            try:
                response = self._http.post(url, json=body)
            except httpx.TimeoutException:
                problem = "timed out"
                continue
            except httpx.TransportError as exc:
                problem = f"cannot connect ({type(exc).__name__})"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code == 400 and "response_format" in body:
                raise FormatRefused
            if response.status_code >= 400:
                raise LLMError(f"{url} refused the request: HTTP {response.status_code} "
                               f"{_excerpt(response.text)}")
            return _completion(response, time.monotonic() - started)
        if problem.startswith("cannot connect"):
            raise LLMError(f"{url}: {problem} after {self.retries + 1} attempts; is the server running?")
        raise TurnFailed(f"{problem} after {self.retries + 1} attempts")


def _completion(response: httpx.Response, seconds: float) -> Completion:
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise TurnFailed(f"not a chat-completions answer: {_excerpt(response.text)}") from None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return Completion(content if isinstance(content, str) else "", data.get("model"),
                      _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens")), seconds)


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
