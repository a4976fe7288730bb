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

    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = "https://slack.com/api/"


def settings() -> Settings:
    return Settings()
