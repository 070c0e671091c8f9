"""Every typed key the application stores (aiohttp AppKey: no string keys, no singletons)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from sqlalchemy import Engine

from bot.answerer import Answerer
from bot.conversation import ConversationStore
from handlers.knowledge_base import KnowledgeBase
from handlers.live_index import LiveIndex
from handlers.record_writer import RecordWriter
from handlers.settings import Settings
from handlers.wechat.answering import AnsweringFactory
from handlers.wechat.customer_service import CustomerServiceClient
from handlers.wechat.endpoints import Webhook
from handlers.wechat.rate_limit import RateLimiter
from knowledge.catalog import Catalog
from knowledge.topics import TopicAssigner
from knowledge.workdays import WorkingCalendar

settings_key = web.AppKey("settings", Settings)
engine_key = web.AppKey("engine", Engine)
catalog_key = web.AppKey("catalog", Catalog)
knowledge_key = web.AppKey("knowledge", KnowledgeBase)
live_index_key = web.AppKey("live_index", LiveIndex)
answerer_key = web.AppKey("answerer", Answerer)
calendar_key = web.AppKey("calendar", WorkingCalendar)
# Set only when the 公众号's AppID and AppSecret are configured (staff replies go through it).
customer_service_key = web.AppKey("customer_service", CustomerServiceClient)
# The WeCom app's sender for staff replies (set only when the WeCom app is configured).
wecom_service_key = web.AppKey("wecom_service", CustomerServiceClient)
# Group commit of interaction records (every channel's questions go through it).
record_writer_key = web.AppKey("record_writer", RecordWriter)
# The /wechat and /wecom webhooks (endpoints, exchange, clock).
webhook_key = web.AppKey("webhook", Webhook)
# Set before startup to replace what the webhook answers with (tests: a slow bot).
answering_factory_key = web.AppKey[AnsweringFactory]("answering_factory")
# Set before startup to replace the per-resident limiter (e.g. one shared by workers).
rate_limiter_key = web.AppKey("rate_limiter", RateLimiter)
# Where the bot keeps residents' conversation contexts (handlers/worker_state_setup.py).
conversation_store_key = web.AppKey[ConversationStore]("conversation_store")
# Set before startup to fix "now" for signature timestamps (tests of the published vectors).
wall_clock_key = web.AppKey[Callable[[], float]]("wall_clock")
# Groups questions into hot topics as they are recorded (handlers/topic_setup.py).
topic_assigner_key = web.AppKey("topic_assigner", TopicAssigner)
