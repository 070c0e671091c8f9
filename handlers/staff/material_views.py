"""Material pages: each catalog item's documents with versions and ages, and uploading files
into an item (publishers) through the same importer and the same per-file report as a folder.

The upload streams the multipart body: its first field must be the CSRF token, checked before
any file is read, and files are read up to a total size limit.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from sqlalchemy import Engine
from sqlmodel import Session

from handlers import keys
from handlers.staff.accounts import Role
from handlers.staff.audit import log_action
from handlers.staff.auth import (
    CSRF_FIELD,
    CSRF_REFUSED,
    checks_own_csrf,
    current_account,
    request_csrf_ok,
    requires,
)
from handlers.staff.rendering import render, render_error
from knowledge.catalog import CatalogItem
from knowledge.importer import import_uploaded_files
from knowledge.material_overview import (
    DEFAULT_DEADLINE_DAYS,
    DocumentOverview,
    ItemSummary,
    item_documents,
    item_summaries,
)
from knowledge.record_dates import china_today
from knowledge.report import ImportReport, render_text

routes = web.RouteTableDef()

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_FILES = 50
_READ_CHUNK = 64 * 1024


class UploadRefused(Exception):
    """The upload cannot be taken; the message says why, for the clerk."""


def _item(request: web.Request) -> CatalogItem | None:
    catalog = request.config_dict[keys.catalog_key]
    try:
        return catalog.item(int(request.match_info["number"]))
    except KeyError:
        return None


def _summaries(engine: Engine) -> dict[int, ItemSummary]:
    with Session(engine) as session:
        return item_summaries(session)


@routes.get("/material", name="material")
async def material_index(request: web.Request) -> web.Response:
    """Every catalog item with how much material the bureau's database holds for it."""
    engine = request.config_dict[keys.engine_key]
    summaries = await asyncio.to_thread(_summaries, engine)
    knowledge = request.config_dict[keys.knowledge_key]
    uses_demo = await asyncio.to_thread(knowledge.uses_demo)
    return render(
        request,
        "staff/material_index.html",
        {
            "items": request.config_dict[keys.catalog_key].items,
            "summaries": summaries,
            "uses_demo": uses_demo,
        },
    )


async def _item_page(
    request: web.Request,
    item: CatalogItem,
    *,
    report: ImportReport | None = None,
    error: str = "",
    status: int = 200,
) -> web.Response:
    engine = request.config_dict[keys.engine_key]
    calendar = request.config_dict[keys.calendar_key]
    deadline = item.deadline_working_days or DEFAULT_DEADLINE_DAYS

    def read() -> list[DocumentOverview]:
        with Session(engine) as session:
            return item_documents(session, item.number, calendar, china_today(), deadline)

    documents = await asyncio.to_thread(read)
    account = current_account(request)
    return render(
        request,
        "staff/material_item.html",
        {
            "item": item,
            "deadline_days": deadline,
            "documents": documents,
            "report": report,
            "report_text": render_text(report) if report is not None else "",
            "error": error,
            "can_upload": account.role.allows(Role.PUBLISHER),
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status=status,
    )


@routes.get(r"/material/{number:\d+}", name="material_item")
async def material_item(request: web.Request) -> web.Response:
    """An item's documents, versions and ages, and the upload form."""
    item = _item(request)
    if item is None:
        return await render_error(request, "目录中没有这个事项。", status=404)
    return await _item_page(request, item)


def safe_file_name(name: str) -> str:
    """The file's own name, without any folder a browser sent along.

    Browsers percent-encode quotes and line breaks in it, some clients every non-ASCII
    character: decoded here, as the importer reports and stores the name.
    """
    return PurePosixPath(unquote(name).replace("\\", "/")).name.strip()


async def _read_part(part: BodyPartReader, budget: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(_READ_CHUNK):
        size += len(chunk)
        if size > budget:
            raise UploadRefused(f"上传的文件合计不能超过{MAX_UPLOAD_BYTES // (1024 * 1024)}MB")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_upload(request: web.Request) -> list[tuple[str, bytes]]:
    """The uploaded files; UploadRefused unless the CSRF token comes first and limits hold."""
    if request.content_type != "multipart/form-data":
        raise UploadRefused(CSRF_REFUSED)
    reader = await request.multipart()
    first = await reader.next()
    if not isinstance(first, BodyPartReader) or first.name != CSRF_FIELD:
        raise UploadRefused(CSRF_REFUSED)
    token = (await first.read(decode=True)).decode("utf-8", "replace")
    if not request_csrf_ok(request, token):
        raise UploadRefused(CSRF_REFUSED)
    files: list[tuple[str, bytes]] = []
    budget = MAX_UPLOAD_BYTES
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name != "files" or not part.filename:
            continue
        name = safe_file_name(part.filename)
        data = await _read_part(part, budget)
        budget -= len(data)
        if name:
            files.append((name, data))
        if len(files) > MAX_UPLOAD_FILES:
            raise UploadRefused(f"一次最多上传{MAX_UPLOAD_FILES}个文件")
    if not files:
        raise UploadRefused("请选择要上传的文件")
    return files


@routes.post(r"/material/{number:\d+}/upload", name="material_upload")
@requires(Role.PUBLISHER)
@checks_own_csrf
async def upload(request: web.Request) -> web.Response:
    """Import the uploaded files into the item and show the importer's report."""
    item = _item(request)
    if item is None:
        return await render_error(request, "目录中没有这个事项。", status=404)
    try:
        files = await read_upload(request)
    except UploadRefused as refusal:
        status = 403 if str(refusal) == CSRF_REFUSED else 400
        if status == 403:
            return await render_error(request, str(refusal), status=403)
        return await _item_page(request, item, error=str(refusal), status=400)
    account = current_account(request)
    engine = request.config_dict[keys.engine_key]
    catalog = request.config_dict[keys.catalog_key]
    synonyms = request.config_dict[keys.knowledge_key].synonyms
    report = await asyncio.to_thread(
        import_uploaded_files, engine, files, item, catalog, synonyms, started_by=account.name
    )
    names = "、".join(name for name, _ in files)
    detail = (
        f"{names}：新增{report.count('new')}，更新{report.count('changed')}，"
        f"未变{report.count('unchanged')}，失败{report.count('failed')}"
    )
    await asyncio.to_thread(log_action, engine, account.name, "upload", item.label, detail)
    await request.config_dict[keys.live_index_key].refresh_if_stale()
    return await _item_page(request, item, report=report)
