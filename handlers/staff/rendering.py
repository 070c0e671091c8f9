"""How staff pages render: the Chinese names of stored codes, the template filters, the context
every page gets (user, CSRF token, notice), and error pages.

Unknown codes show as themselves, so a value written by a newer version never breaks a page.
Views redirect after a change (POST → 303 → GET) with ?done=<code>; the page then shows the
fixed sentence for that code, so no text from the request is ever echoed as a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from handlers.staff.sessions import csrf_token, secret_key, session_key, staff_key
from knowledge.record_models import Channel, RecordStatus
from knowledge.workdays import CalendarSource

STATUS_LABELS = {
    RecordStatus.AUTO_ANSWERED.value: "机器人已答",
    RecordStatus.NEEDS_REVIEW.value: "待处理",
    RecordStatus.ANSWERED.value: "已答复",
    RecordStatus.PUBLISHED.value: "已公开",
    RecordStatus.CLOSED.value: "已关闭",
}
# The CSS badge of each status (see static/anju.css).
STATUS_BADGES = {
    RecordStatus.AUTO_ANSWERED.value: "badge-muted",
    RecordStatus.NEEDS_REVIEW.value: "badge-warn",
    RecordStatus.ANSWERED.value: "badge-ok",
    RecordStatus.PUBLISHED.value: "badge-info",
    RecordStatus.CLOSED.value: "badge-muted",
}
CHANNEL_LABELS = {
    Channel.WECHAT.value: "微信公众号",
    Channel.WECOM.value: "企业微信",
    Channel.WEB.value: "网页咨询",
}
KIND_LABELS = {
    "answered": "已解答",
    "not_found": "未找到答案",
    "result": "结果查询",
    "ask_for_tail": "请补充身份证后四位",
    "privacy_refused": "拒绝提供个人信息",
    "complaint": "投诉/反映",
    "out_of_scope": "非住房保障问题",
    "greeting": "问候",
    "thanks": "致谢",
    "menu": "菜单",
    "handoff": "转人工",
    "satisfaction": "满意度评价",
}
ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "password_changed": "修改密码",
    "reply": "答复居民",
    "close": "关闭记录",
    "reopen": "重新打开记录",
    "publish_qa": "公开问答",
    "edit_qa": "修改问答",
    "withdraw_qa": "撤回问答",
    "upload": "上传材料",
    "user_added": "添加用户",
    "user_disabled": "停用用户",
    "user_enabled": "启用用户",
    "role_changed": "变更角色",
    "password_reset": "重置密码",
    "export_stats": "导出统计",
}
CALENDAR_SOURCE_NOTES = {
    CalendarSource.PACKAGE: "",
    CalendarSource.HOLIDAY_FILE: (
        "该年节假日按局里维护的节假日文件计算，请确认文件已按国务院通知更新。"
    ),
    CalendarSource.WEEKENDS_ONLY: (
        "程序内置数据不含该年的节假日安排，期限仅按周末计算，法定节假日可能被算作工作日。"
        "请在节假日文件中补充该年安排。"
    ),
}


def status_label(code: str) -> str:
    """'needs_review' → '待处理'."""
    return STATUS_LABELS.get(code, code)


def status_badge(code: str) -> str:
    """The CSS class of a status badge."""
    return STATUS_BADGES.get(code, "badge-muted")


def channel_label(code: str) -> str:
    """'wechat' → '微信公众号'."""
    return CHANNEL_LABELS.get(code, code)


def kind_label(code: str) -> str:
    """'not_found' → '未找到答案'."""
    return KIND_LABELS.get(code, code or "—")


def action_label(code: str) -> str:
    """'publish_qa' → '公开问答'."""
    return ACTION_LABELS.get(code, code)


def calendar_label(code: str | CalendarSource) -> str:
    """Which calendar data counted a deadline, in words."""
    try:
        return CalendarSource(code).label
    except ValueError:
        return "未知"


def calendar_note(code: str | CalendarSource) -> str:
    """A warning to show when the calendar data is not the package's ('' when it is)."""
    try:
        return CALENDAR_SOURCE_NOTES[CalendarSource(code)]
    except ValueError:
        return ""


def working_days_phrase(days_left: int) -> str:
    """3 → '还剩3个工作日'; 0 → '今天到期'; -2 → '已逾期2个工作日'."""
    if days_left > 0:
        return f"还剩{days_left}个工作日"
    if days_left == 0:
        return "今天到期"
    return f"已逾期{-days_left}个工作日"


STAFF_FILTERS: dict[str, Callable[..., Any]] = {
    "status_label": status_label,
    "status_badge": status_badge,
    "channel_label": channel_label,
    "kind_label": kind_label,
    "action_label": action_label,
    "calendar_label": calendar_label,
    "calendar_note": calendar_note,
    "working_days_phrase": working_days_phrase,
}


NOTICES = {
    "replied": "答复已保存并送达。",
    "undelivered": "答复已保存，但没有送达居民，原因见“送达记录”。",
    "closed": "记录已关闭。",
    "reopened": "记录已重新打开，进入待处理。",
    "published": "问答已公开，机器人即刻按新问答回答。",
    "edited": "问答已修改，公开页面保留了修改历史。",
    "withdrawn": "问答已撤回，已从问答列表和机器人答复中移除。",
    "user_added": "用户已添加。",
    "user_changed": "用户已更新。",
    "password_changed": "密码已修改，请用新密码重新登录。",
    "signed_out": "您已退出登录。",
}


def _base_context(request: web.Request) -> dict[str, Any]:
    session = request.get(session_key)
    token = csrf_token(request.app[secret_key], session) if session is not None else ""
    return {
        "staff": request.get(staff_key),
        "csrf_token": token,
        "current_path": request.path,
        "notice": NOTICES.get(request.query.get("done", ""), ""),
    }


def render(
    request: web.Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> web.Response:
    """A staff page from template, with the common context added."""
    merged = _base_context(request)
    merged.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, merged, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def render_error(request: web.Request, message: str, *, status: int) -> web.Response:
    """A page that says what went wrong, with a way back."""
    return render(request, "staff/error.html", {"message": message}, status=status)


def see_other(location: str, done: str = "") -> web.Response:
    """Redirect after a POST, with a notice code for the page."""
    if done:
        location += ("&" if "?" in location else "?") + f"done={done}"
    return web.Response(status=303, headers={"Location": location})
