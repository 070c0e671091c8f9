"""Settings: every ANJU_* environment variable, its default and meaning, in one table.

Only the command line reads the environment (Settings.from_env); tests build Settings directly.
tests/test_docs.py keeps the README's settings table in step with SETTINGS below.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_ENCODING_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
# A sanity bound: each worker keeps its own pool of database connections (5, 15 at peaks).
MAX_WORKERS = 32


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
        "ANJU_WORKERS",
        "workers",
        "1",
        "worker processes `anju serve` runs on one port (`--workers N`); more than one needs "
        "PostgreSQL",
    ),
    Setting(
        "ANJU_STATE_STORE",
        "state_store",
        "auto",
        "where residents' conversation contexts and rate-limit counts live: memory (this "
        "process), database (shared by every worker), or auto (database with several workers)",
    ),
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
        "1",
        "how often each worker checks whether the material or the published Q&A changed (one "
        "row read); a change made through another worker is answered with within seconds",
    ),
    Setting(
        "ANJU_BUREAU_NAME",
        "bureau_name",
        "山阴县住房和城乡建设局",
        "the bureau's name in the header of every page",
    ),
    Setting(
        "ANJU_SESSION_SECRET",
        "session_secret",
        "",
        "key that signs staff session cookies; set the same long random value on every worker "
        "(default: a random key per process, so sessions end at restart)",
    ),
    Setting(
        "ANJU_BEHIND_PROXY",
        "behind_proxy",
        "false",
        "true when a reverse proxy sets X-Forwarded-For: login throttling then counts the "
        "client's address instead of the proxy's",
    ),
    Setting(
        "ANJU_WECHAT_APPID",
        "wechat_appid",
        "",
        "the 公众号's AppID: checked inside every encrypted push (safe and compatible mode), "
        "and needed for customer-service messages (late answers, staff replies)",
    ),
    Setting(
        "ANJU_WECHAT_SECRET",
        "wechat_secret",
        "",
        "the 公众号's AppSecret, for the access_token of customer-service messages; without "
        "it late answers and staff replies cannot be sent through WeChat",
    ),
    Setting(
        "ANJU_WECHAT_API_BASE",
        "wechat_api_base",
        "https://api.weixin.qq.com",
        "base URL of WeChat's server API (a fake one in tests)",
    ),
    # The 公众号 webhook at /wechat (404 while the token is empty) and the WeCom callback.
    Setting("ANJU_WECHAT_TOKEN", "wechat_token", "", "the 公众号's Token (signs every push)"),
    Setting(
        "ANJU_WECHAT_AES_KEY",
        "wechat_aes_key",
        "",
        "the 公众号's EncodingAESKey (43 characters); empty means plaintext mode, set means "
        "only encrypted (compatible or safe mode) pushes are accepted",
    ),
    Setting(
        "ANJU_WECHAT_MENU_FILE",
        "wechat_menu_file",
        "",
        "the 公众号 menu as TOML (default: the packaged handlers/wechat/menu.toml)",
    ),
    Setting(
        "ANJU_WECOM_TOKEN",
        "wecom_token",
        "",
        "the WeCom (企业微信) app's callback Token; /wecom answers 404 while it is empty",
    ),
    Setting(
        "ANJU_WECOM_AES_KEY",
        "wecom_aes_key",
        "",
        "the WeCom app's EncodingAESKey (43 characters; WeCom is always encrypted)",
    ),
    Setting("ANJU_WECOM_CORPID", "wecom_corpid", "", "the WeCom CorpID"),
    Setting("ANJU_WECOM_SECRET", "wecom_secret", "", "the WeCom app's Secret, for late answers"),
    Setting("ANJU_WECOM_AGENTID", "wecom_agentid", "0", "the WeCom app's AgentId"),
    Setting(
        "ANJU_WECOM_API_BASE",
        "wecom_api_base",
        "https://qyapi.weixin.qq.com",
        "base URL of WeCom's server API",
    ),
    Setting(
        "ANJU_ANSWER_BUDGET_SECONDS",
        "answer_budget_seconds",
        "4",
        "time to answer a WeChat message before replying success and sending the answer as a "
        "customer-service message instead (WeChat gives up after 5 s)",
    ),
    Setting(
        "ANJU_ANSWER_THREADS",
        "answer_threads",
        "2",
        "threads answering new WeChat questions (a question the bot remembers is answered at "
        "once, without them); 0 answers on the event loop instead, where a slow answer holds "
        "up everyone and the budget cannot cut it short, and which was measured slower",
    ),
    Setting(
        "ANJU_TIMESTAMP_WINDOW_SECONDS",
        "timestamp_window_seconds",
        "300",
        "WeChat pushes whose timestamp is further from now are refused as replays; 0 disables",
    ),
    Setting(
        "ANJU_MAX_BODY_BYTES",
        "max_body_bytes",
        "65536",
        "largest WeChat push body accepted (413 beyond)",
    ),
    Setting(
        "ANJU_RATE_LIMIT_PER_MINUTE",
        "rate_limit_per_minute",
        "20",
        "messages a minute one resident may send before a polite 'too fast' reply",
    ),
    Setting(
        "ANJU_RATE_LIMIT_BURST",
        "rate_limit_burst",
        "10",
        "messages one resident may send in a quick burst",
    ),
    Setting(
        "ANJU_RECORDS_SYNCHRONOUS",
        "records_synchronous",
        "full",
        "SQLite only: full makes every stored question survive power loss, normal only a crash",
    ),
    # Operations: logs, metrics, shutdown and retention.
    Setting(
        "ANJU_LOG_FORMAT",
        "log_format",
        "text",
        "text, or json for one JSON object a line (for a log collector); either way logs "
        "never hold residents' words or numbers",
    ),
    Setting(
        "ANJU_METRICS_TOKEN",
        "metrics_token",
        "",
        "when set, /metrics answers only requests with `Authorization: Bearer <token>`",
    ),
    Setting(
        "ANJU_SHUTDOWN_TIMEOUT_SECONDS",
        "shutdown_timeout_seconds",
        "15",
        "at SIGTERM, how long `anju serve` lets requests in flight finish before closing them",
    ),
    Setting(
        "ANJU_RETENTION_DAYS",
        "retention_days",
        "0",
        "delete residents' question text and the replies to it from records older than this "
        "many days (checked daily; counts, kinds, topics, deadlines and ratings stay); 0 keeps "
        "everything",
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
    workers: int = 1
    state_store: str = "auto"
    public_url: str = ""
    load_demo: str = "auto"
    min_score: float = 0.35
    index_poll_seconds: float = 1.0
    enquiry_reply_days: int = 5
    complaint_reply_days: int = 15
    holidays_file: str = ""
    bureau_name: str = "山阴县住房和城乡建设局"
    session_secret: Secret = Secret("")
    behind_proxy: bool = False
    wechat_appid: str = ""
    wechat_secret: Secret = Secret("")
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_token: Secret = Secret("")
    wechat_aes_key: Secret = Secret("")
    wechat_menu_file: str = ""
    wecom_token: Secret = Secret("")
    wecom_aes_key: Secret = Secret("")
    wecom_corpid: str = ""
    wecom_secret: Secret = Secret("")
    wecom_agentid: int = 0
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    answer_budget_seconds: float = 4.0
    answer_threads: int = 2
    timestamp_window_seconds: int = 300
    max_body_bytes: int = 65536
    rate_limit_per_minute: float = 20.0
    rate_limit_burst: int = 10
    records_synchronous: str = "full"
    log_format: str = "text"
    metrics_token: Secret = Secret("")
    shutdown_timeout_seconds: float = 15.0
    retention_days: int = 0

    @property
    def state_in_database(self) -> bool:
        """True when conversation contexts and rate limits are kept in the database."""
        return self.state_store == "database" or (self.state_store == "auto" and self.workers > 1)

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
        if not 1 <= self.workers <= MAX_WORKERS:
            raise SettingsError(f"ANJU_WORKERS must be between 1 and {MAX_WORKERS}")
        if self.state_store not in ("auto", "memory", "database"):
            raise SettingsError("ANJU_STATE_STORE must be auto, memory or database")
        if not 0 <= self.min_score <= 1:
            raise SettingsError("ANJU_MIN_SCORE must be between 0 and 1")
        if self.enquiry_reply_days < 1 or self.complaint_reply_days < 1:
            raise SettingsError("reply deadlines must be at least one working day")
        if self.holidays_file and not Path(self.holidays_file).is_file():
            raise SettingsError(f"ANJU_HOLIDAYS_FILE={self.holidays_file!r} is not a file")
        self._validate_wechat()
        self._validate_operations()

    def _validate_operations(self) -> None:
        if self.log_format not in ("text", "json"):
            raise SettingsError("ANJU_LOG_FORMAT must be text or json")
        if not 0 < self.shutdown_timeout_seconds <= 600:
            raise SettingsError("ANJU_SHUTDOWN_TIMEOUT_SECONDS must be above 0 and at most 600")
        if self.retention_days < 0:
            raise SettingsError("ANJU_RETENTION_DAYS must be 0 (keep everything) or more")

    def _validate_wechat(self) -> None:
        if self.wechat_aes_key and not _ENCODING_AES_KEY.fullmatch(str(self.wechat_aes_key)):
            raise SettingsError("ANJU_WECHAT_AES_KEY must be 43 letters and digits")
        if self.wechat_aes_key and not self.wechat_appid:
            raise SettingsError("ANJU_WECHAT_AES_KEY needs ANJU_WECHAT_APPID (checked on decrypt)")
        if self.wecom_token and not _ENCODING_AES_KEY.fullmatch(str(self.wecom_aes_key)):
            raise SettingsError("ANJU_WECOM_TOKEN needs ANJU_WECOM_AES_KEY (43 letters and digits)")
        if self.wecom_token and not self.wecom_corpid:
            raise SettingsError("ANJU_WECOM_TOKEN needs ANJU_WECOM_CORPID")
        if not 0 < self.answer_budget_seconds <= 4.8:
            raise SettingsError("ANJU_ANSWER_BUDGET_SECONDS must be above 0 and at most 4.8")
        if not 0 <= self.answer_threads <= 32:
            raise SettingsError("ANJU_ANSWER_THREADS must be between 0 and 32")
        if self.timestamp_window_seconds < 0:
            raise SettingsError("ANJU_TIMESTAMP_WINDOW_SECONDS must not be negative")
        if not 1024 <= self.max_body_bytes <= 1024 * 1024:
            raise SettingsError("ANJU_MAX_BODY_BYTES must be between 1024 and 1048576")
        if self.rate_limit_per_minute <= 0 or self.rate_limit_burst < 1:
            raise SettingsError("rate limits must be positive (burst at least 1)")
        if self.records_synchronous not in ("full", "normal"):
            raise SettingsError("ANJU_RECORDS_SYNCHRONOUS must be full or normal")


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
