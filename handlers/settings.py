"""Settings: every ANJU_* environment variable, its default and meaning, in one table.

Only the command line reads the environment (Settings.from_env); tests build Settings directly.
tests/test_docs.py keeps the README's settings table in step with SETTINGS below.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a value the service cannot use; the message names the variable."""


@dataclass(frozen=True)
class Secret:
    """A secret value that never shows in logs, reprs or error pages."""

    value: str

    def __repr__(self) -> str:
        return "Secret('**********')" if self.value else "Secret('')"

    def __str__(self) -> str:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Setting:
    """One documented environment variable."""

    variable: str
    field: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ANJU_DATABASE_URL",
        "database_url",
        "sqlite:///anju.sqlite3",
        "SQLAlchemy URL or SQLite file path; postgresql://… for several workers",
    ),
    Setting("ANJU_HOST", "host", "127.0.0.1", "address `anju serve` listens on"),
    Setting("ANJU_PORT", "port", "8080", "port `anju serve` listens on"),
    Setting(
        "ANJU_PUBLIC_URL",
        "public_url",
        "",
        "the public site's base URL, used in links sent to residents (default: http://HOST:PORT)",
    ),
    Setting(
        "ANJU_LOAD_DEMO",
        "load_demo",
        "auto",
        "auto: load the bundled demo material when the database holds none; never; always",
    ),
    Setting(
        "ANJU_MIN_SCORE",
        "min_score",
        "0.35",
        "confidence below which the bot says it found nothing and flags the question",
    ),
    Setting(
        "ANJU_ENQUIRY_REPLY_DAYS",
        "enquiry_reply_days",
        "5",
        "working days staff have to answer an enquiry the bot could not",
    ),
    Setting(
        "ANJU_COMPLAINT_REPLY_DAYS",
        "complaint_reply_days",
        "15",
        "working days staff have to answer a complaint or report",
    ),
    Setting(
        "ANJU_HOLIDAYS_FILE",
        "holidays_file",
        "",
        "holiday file for years the chinese-calendar package does not cover "
        "(default: the packaged knowledge/data/holidays.toml)",
    ),
    Setting(
        "ANJU_INDEX_POLL_SECONDS",
        "index_poll_seconds",
        "5",
        "how often each worker checks whether the material changed",
    ),
)


def _field_types() -> dict[str, Any]:
    return {f.name: f.type for f in dataclasses.fields(Settings)}


@dataclass(frozen=True)
class Settings:
    """The service's configuration; defaults match SETTINGS."""

    database_url: str = "sqlite:///anju.sqlite3"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    load_demo: str = "auto"
    min_score: float = 0.35
    index_poll_seconds: float = 5.0
    enquiry_reply_days: int = 5
    complaint_reply_days: int = 15
    holidays_file: str = ""

    @property
    def base_url(self) -> str:
        """Where residents reach the public site."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> Settings:
        """Settings from ANJU_* variables; overrides (command-line options) win."""
        values: dict[str, Any] = {}
        types = _field_types()
        for setting in SETTINGS:
            raw = environ.get(setting.variable, setting.default)
            values[setting.field] = _convert(setting, raw, types[setting.field])
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError for values that cannot work together."""
        if self.load_demo not in ("auto", "never", "always"):
            raise SettingsError("ANJU_LOAD_DEMO must be auto, never or always")
        if not 0 < self.port < 65536:
            raise SettingsError("ANJU_PORT must be a port number")
        if not 0 <= self.min_score <= 1:
            raise SettingsError("ANJU_MIN_SCORE must be between 0 and 1")
        if self.enquiry_reply_days < 1 or self.complaint_reply_days < 1:
            raise SettingsError("reply deadlines must be at least one working day")
        if self.holidays_file and not Path(self.holidays_file).is_file():
            raise SettingsError(f"ANJU_HOLIDAYS_FILE={self.holidays_file!r} is not a file")


def _convert(setting: Setting, raw: str, kind: Any) -> Any:
    text = raw.strip()
    try:
        if kind in ("int", int):
            return int(text)
        if kind in ("float", float):
            return float(text)
        if kind in ("bool", bool):
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(text)
        if kind in ("Secret", Secret):
            return Secret(text)
    except ValueError:
        raise SettingsError(f"{setting.variable}={raw!r} is not valid: {setting.help}") from None
    return text
