"""Settings from the environment; one place that knows the defaults."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    chsm_corpus_dir: Path = PROJECT_ROOT / "corpus"
    chsm_index_dir: Path = PROJECT_ROOT / "index"
    chsm_data_dir: Path = PROJECT_ROOT / "data"
    chsm_oncall: str = ""
    chsm_max_file_bytes: int = 20 * 1024 * 1024
    chsm_max_files: int = 10

    # Heavy work (file triage, long pastes) runs in worker processes, never in
    # the process that acks Slack. Each worker holds its own copy of the index
    # (about 340 MB), so the default is one.
    chsm_workers: int = 1
    chsm_queue: int = 4  # jobs that may wait for a worker; past that, "I'm busy"
    chsm_triage_seconds: float = 60  # triage budget: wall time per message
    chsm_triage_max_mb: int = 512  # triage budget: decompressed MB read per message
    chsm_job_deadline: float = 90  # a worker still busy after this is killed and replaced
    chsm_download_seconds: float = 60  # all downloads of one message
    chsm_drain_seconds: float = 30  # SIGTERM: time to finish in-flight replies

    # The HTTP edge (chsm serve --http).
    chsm_max_body_bytes: int = 1024 * 1024  # Slack's payloads are a few KB
    chsm_http_idle_seconds: float = 10  # an idle keep-alive connection is closed after this
    chsm_http_request_seconds: float = 10  # a request must arrive whole within this
    chsm_http_connections: int = 500

    # Storage (SQLite in chsm_data_dir).
    chsm_thread_days: float = 30  # answered threads older than this are forgotten
    chsm_max_threads: int = 50_000  # and never more than this many are kept
    chsm_data_max_mb: int = 512  # the database never grows past this

    # Several replicas: shared state on Redis (dedupe, rate limits, threads,
    # feedback). Unset: in-process state and SQLite in chsm_data_dir.
    chsm_redis_url: str = ""
    chsm_channels_file: Path | None = None  # per-channel settings (YAML)
    # Rate limits, shared by every replica on Redis; a normal team never meets
    # them (0: off). Past one, the asker gets one polite note per minute.
    chsm_user_per_minute: int = 30
    chsm_channel_per_minute: int = 120
    # `chsm report` as a weekly digest posted to this channel (id), if set.
    chsm_report_channel: str = ""
    chsm_report_days: float = 7
    chsm_socket_connections: int = 2  # Socket Mode: Slack spreads events over up to 10

    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = "https://slack.com/api/"


def settings() -> Settings:
    return Settings()
