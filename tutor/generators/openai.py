"""Any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server): base URL, model, key, timeout, streaming."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from tutor.errors import GeneratorError, GeneratorTimeoutError
from tutor.prompt import Prompt


class OpenAIGenerator:
    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        stream: bool = True,
        temperature: float = 0.0,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_id = f"openai:{model}"
        self.timeout = timeout
        self.stream = stream
        self.temperature = temperature
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    def _payload(self, prompt: Prompt, max_tokens: int) -> dict[str, object]:
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user_message()},
            ],
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "stream": self.stream,
        }

    def generate(self, prompt: Prompt, *, max_tokens: int = 512) -> Iterator[str]:
        """Stream the answer. ``timeout`` bounds every wait on the socket and the whole answer as well, so a
        server that trickles tokens cannot hold a request for ever."""
        url = f"{self.base_url}/chat/completions"
        deadline = time.monotonic() + self.timeout
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(self.timeout), headers=self._headers) as client,
                client.stream("POST", url, json=self._payload(prompt, max_tokens)) as response,
            ):
                if response.status_code >= 400:
                    response.read()
                    raise GeneratorError(f"{url} answered HTTP {response.status_code}: {response.text[:200]}")
                if self.stream:
                    for delta in self._stream_deltas(response):
                        if time.monotonic() > deadline:
                            raise GeneratorTimeoutError(f"{url} did not finish its answer within {self.timeout:g} s")
                        yield delta
                else:
                    response.read()
                    yield self._message(response.json())
        except httpx.TimeoutException as exc:
            raise GeneratorTimeoutError(f"{url} did not answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise GeneratorError(f"cannot reach {url}: {exc}") from exc

    @staticmethod
    def _message(body: object) -> str:
        try:
            return str(body["choices"][0]["message"]["content"] or "")  # type: ignore[index]
        except (KeyError, IndexError, TypeError) as exc:
            raise GeneratorError(f"unexpected response shape: {str(body)[:200]}") from exc

    @staticmethod
    def _stream_deltas(response: httpx.Response) -> Iterator[str]:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
            except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
                raise GeneratorError(f"unexpected stream event: {data[:200]}") from exc
            if delta:
                yield delta
