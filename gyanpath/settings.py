"""One settings object for the whole service; every value can come from an environment variable."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from embeddings import IndexKind
from gyanpath.ratelimit import Rate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus" / "data"


class Settings(BaseSettings):
    """Settings with the ``GYANPATH_`` prefix, e.g. ``GYANPATH_HOME=/srv/gyanpath``."""

    model_config = SettingsConfigDict(env_prefix="GYANPATH_", extra="ignore")

    home: Path = Field(default=Path("var"), description="Data directory: the SQLite store and index snapshots.")
    embedder: str = Field(default="e5-multilingual", description="Embedder name: e5-multilingual, minilm-en, hashing.")
    embed_threads: int | None = Field(
        default=None, ge=1, le=256, description="Texts embedded side by side at index build (default: one per core)."
    )
    intra_op_threads: int = Field(
        default=1, ge=1, le=256, description="Threads inside one torch/ONNX Runtime operation (embedder, local model)."
    )
    inter_op_threads: int = Field(
        default=1, ge=1, le=256, description="Threads across independent operations of a torch/ONNX Runtime session."
    )
    embed_batch_size: int = Field(default=32, ge=1, le=1024, description="Texts per embedding batch.")
    index_kind: IndexKind = Field(default=IndexKind.AUTO, description="flat (exact), hnsw, ivf, or auto by size.")
    precompute_sentences: bool = Field(default=True, description="Embed sentences at index build (fast tutor).")
    search_threads: int = Field(default=1, ge=1, le=256, description="FAISS threads (1 is fastest per query).")
    snapshot_poll_seconds: float = Field(
        default=2.0, ge=0, le=3600, description="How often a worker checks for a snapshot published by another."
    )
    rrf_k: int = Field(default=60, ge=1, le=1000, description="Reciprocal-rank-fusion constant.")
    search_max_k: int = Field(default=50, ge=1, le=500, description="Largest k a search may ask for.")
    host: str = Field(default="127.0.0.1", description="Address the service listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the service listens on.")
    bundled_corpus: Path = Field(default=BUNDLED_CORPUS, description="Corpus ingested by 'gyanpath bootstrap'.")

    tutor_generator: Literal["extractive", "openai", "local"] = Field(
        default="extractive", description="Answer backend: extractive (offline), openai (compatible HTTP), local."
    )
    tutor_threshold: float | None = Field(
        default=None,
        description="Abstention threshold: with e5 one answerability probability for every language pair (default: "
        "the fitted per-pair thresholds); with other embedders a threshold on the evidence score.",
    )
    openai_base_url: str = Field(default="http://127.0.0.1:11434/v1", description="OpenAI-compatible endpoint.")
    openai_model: str = Field(default="llama3.1", description="Model name sent to the endpoint.")
    openai_api_key: str | None = Field(default=None, description="Bearer token for the endpoint, if it needs one.")
    generator_timeout: float = Field(default=30.0, gt=0, le=600, description="Seconds to wait for a generator.")
    local_model: Path | None = Field(default=None, description="GGUF file for the local backend (default SmolLM2).")

    mandatory_tags: list[str] = Field(
        default=["ai", "cyber-security"], description="Course tags every learning path must include one course of."
    )
    programme_days: int = Field(default=7, ge=1, le=60, description="Days of the default programme.")
    programme_hours_per_day: float = Field(default=4.0, gt=0, le=12, description="Hours per programme day.")
    peer_weight: float = Field(default=0.5, ge=0, le=10, description="Weight of peer signals in path ranking.")
    completions: Path | None = Field(default=None, description="JSONL/CSV completion records for peer signals.")
    duplicate_threshold: float | None = Field(
        default=None, ge=-1, le=1, description="Near-duplicate cosine threshold; default per embedder."
    )
    database_url: str | None = Field(
        default=None,
        description="Progress store: sqlite:///path or postgresql+psycopg://user@host/db (default <home>/progress.db).",
    )
    peer_refresh_completions: int = Field(
        default=50, ge=1, description="Refit peer signals once completions changed by this many records..."
    )
    peer_refresh_minutes: float = Field(
        default=30.0, gt=0, description="...or after this many minutes with any change."
    )

    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, le=1_000_000_000, description="Largest request body (JSON); 413 above."
    )
    max_upload_bytes: int = Field(
        default=10_000_000, ge=1024, le=10_000_000_000, description="Largest multipart file upload; 413 above."
    )
    sync_index_chars: int = Field(
        default=8_000,
        ge=0,
        le=100_000_000,
        description="Uploads whose passages and sentences come to more characters are indexed in the background "
        "(202 and a job to follow) instead of while the request waits (about 0.8 s of CPU with e5).",
    )
    rate_limit: str = Field(
        default="120/minute",
        description="Requests per API key (or per client address without a valid key) per window, or 'off'.",
    )
    redis_url: str | None = Field(
        default=None, description="Redis for rate limits shared by all workers; unset: in-process (one worker)."
    )
    redis_prefix: str = Field(default="gyanpath", max_length=100, description="Prefix of the Redis keys used.")
    forwarded_allow_ips: str = Field(
        default="",
        max_length=1000,
        description="Reverse proxies (comma-separated addresses or networks, '*' for any) whose X-Forwarded-For and "
        "X-Forwarded-Proto are trusted; empty (the default): none, so a client cannot pick its own address for the "
        "per-address rate limit.",
    )

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        Rate.parse(value)  # raises ValueError naming rate_limit
        return value

    @property
    def database_path(self) -> Path:
        return self.home / "gyanpath.db"

    @property
    def progress_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'progress.db'}"

    @property
    def mandated_hours(self) -> float:
        """Hours of the mandatory programme a learner completes in a year (7 days x 4 h by default)."""
        return self.programme_days * self.programme_hours_per_day
