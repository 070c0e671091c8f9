"""Every typed key the application stores (aiohttp AppKey: no string keys, no singletons)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import Engine

from bot.answerer import Answerer
from handlers.knowledge_base import KnowledgeBase
from handlers.live_index import LiveIndex
from handlers.settings import Settings
from knowledge.catalog import Catalog
from knowledge.workdays import WorkingCalendar

settings_key = web.AppKey("settings", Settings)
engine_key = web.AppKey("engine", Engine)
catalog_key = web.AppKey("catalog", Catalog)
knowledge_key = web.AppKey("knowledge", KnowledgeBase)
live_index_key = web.AppKey("live_index", LiveIndex)
answerer_key = web.AppKey("answerer", Answerer)
calendar_key = web.AppKey("calendar", WorkingCalendar)
