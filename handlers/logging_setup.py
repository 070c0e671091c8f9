"""How the `anju` command logs: text or JSON lines, with personal numbers masked in every line.

No log call passes a resident's words or a reply (tests/handlers/test_logging_setup.py scans the
logs of real requests for them). Masking each finished line as well catches an identity or
phone number that reaches a log another way: inside an exception's message, or quoted by a
library from a malformed request.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from handlers.settings import SettingsError
from knowledge.masking import mask_resident_text

LOG_FORMATS = ("text", "json")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class MaskingTextFormatter(logging.Formatter):
    """The usual one-line text format, personal numbers masked (traceback included)."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The line as logging.Formatter writes it, masked."""
        return mask_resident_text(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, process, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line, masked."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            # Several workers write to one journal: the process tells them apart.
            "process": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # Masking after encoding is safe: JSON leaves digits, letters and CJK as they are.
        return mask_resident_text(json.dumps(entry, ensure_ascii=False))


def formatter_for(log_format: str) -> logging.Formatter:
    """The formatter of ANJU_LOG_FORMAT (text or json)."""
    if log_format == "json":
        return JsonFormatter()
    if log_format == "text":
        return MaskingTextFormatter()
    raise SettingsError(f"ANJU_LOG_FORMAT must be {' or '.join(LOG_FORMATS)}, not {log_format!r}")


def log_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing to stream (stderr) in log_format (text or json)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(log_format.strip().lower()))
    return handler


def configure_logging(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Send every log record at level and above to stream (stderr) in log_format.

    Like logging.basicConfig, it leaves a root logger that already has handlers alone (a
    program embedding the command, or pytest, configured logging itself).
    """
    handler = log_handler(log_format, stream)
    if not isinstance(logging.getLevelName(level.upper()), int):
        raise SettingsError(f"--log-level {level!r} is not a logging level")
    logging.basicConfig(level=level.upper(), handlers=[handler])
