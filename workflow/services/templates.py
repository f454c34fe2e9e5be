"""Texts of the e-mails thidua sends: subject and plain-text body, in Vietnamese or English.

`render(kind, locale, context)` is strict: an unknown kind or locale is a ValueError. Callers
that hold a user's stored locale pass it through `resolve_locale` first, which falls back to
Vietnamese (the default) for a locale thidua has no texts for.

Context keys, by kind (`recipient`, a person's name, and `link` are optional for every kind):

- reminder: title, state (label of the step), due_date (a date), days_left (int, < 0 when late)
- escalation: the same, plus waiting_on (a name, or a list of who has not acted)
- notice: title, text
- returned: title (the item's name), comment (why it was returned), by (who returned it)
- digest: date (the day it covers), items (a list of mappings with subject and optional link)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from string import Template
from typing import Any

DEFAULT_LOCALE = "vi"
LOCALES = ("vi", "en")
KINDS = ("reminder", "escalation", "notice", "returned", "digest")

_DATE_FORMATS = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}

_COMMON: dict[str, dict[str, str]] = {
    "vi": {
        "greeting": "Kính gửi đồng chí $recipient,",
        "greeting_anonymous": "Kính gửi Quý đồng chí,",
        "link": "Xem chi tiết tại: $link",
        "signature": (
            "Trân trọng,\nHệ thống quản lý Thi đua – Khen thưởng\n"
            "(Thư được gửi tự động, đề nghị không trả lời thư này.)"
        ),
        "days_left": "còn $n ngày",
        "day_left": "còn $n ngày",
        "due_today": "đến hạn hôm nay",
        "days_late": "quá hạn $n ngày",
        "day_late": "quá hạn $n ngày",
    },
    "en": {
        "greeting": "Dear $recipient,",
        "greeting_anonymous": "Dear colleague,",
        "link": "Details: $link",
        "signature": (
            "Kind regards,\nEmulation and Commendation Management System\n"
            "(This message was sent automatically; please do not reply.)"
        ),
        "days_left": "$n days left",
        "day_left": "$n day left",
        "due_today": "due today",
        "days_late": "$n days overdue",
        "day_late": "$n day overdue",
    },
}

# (subject, body) per locale and kind; $greeting, $link_line and $signature are common parts.
_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "vi": {
        "reminder": (
            "[Thi đua] Nhắc hạn: $title ($remaining)",
            "$greeting\n\n"
            "Hệ thống Thi đua – Khen thưởng trân trọng nhắc: hồ sơ “$title” đang ở bước "
            "“$state”, hạn xử lý là ngày $due ($remaining).\n\n"
            "Đề nghị đồng chí khẩn trương hoàn thành và cập nhật kết quả trên hệ thống.\n\n"
            "$link_line\n\n$signature\n",
        ),
        "escalation": (
            "[Thi đua] Cảnh báo chậm hạn: $title ($remaining)",
            "$greeting\n\n"
            "Hồ sơ “$title” đang ở bước “$state”, hạn xử lý là ngày $due ($remaining), "
            "nhưng đến nay vẫn chưa được hoàn thành.\n\n"
            "Đơn vị, cá nhân chưa thực hiện:\n$waiting\n\n"
            "Đề nghị đồng chí chỉ đạo, đôn đốc xử lý kịp thời.\n\n"
            "$link_line\n\n$signature\n",
        ),
        "notice": (
            "[Thi đua] $title",
            "$greeting\n\n$text\n\n$link_line\n\n$signature\n",
        ),
        "returned": (
            "[Thi đua] Trả lại: $title",
            "$greeting\n\n"
            "Hồ sơ “$title” đã được $by trả lại với ý kiến:\n\n$comment\n\n"
            "Đề nghị đồng chí chỉnh sửa theo ý kiến trên rồi trình lại trên hệ thống.\n\n"
            "$link_line\n\n$signature\n",
        ),
        "digest": (
            "[Thi đua] Tổng hợp thông báo ngày $date ($count mục)",
            "$greeting\n\n"
            "Hệ thống Thi đua – Khen thưởng trân trọng gửi đồng chí tổng hợp $count thông báo "
            "trong ngày $date:\n\n$items\n\n$signature\n",
        ),
    },
    "en": {
        "reminder": (
            "[Emulation] Reminder: $title ($remaining)",
            "$greeting\n\n"
            "This is a reminder that “$title” is at the step “$state” and is due on $due "
            "($remaining).\n\n"
            "Please complete it and record the result in the system.\n\n"
            "$link_line\n\n$signature\n",
        ),
        "escalation": (
            "[Emulation] Deadline warning: $title ($remaining)",
            "$greeting\n\n"
            "“$title” is at the step “$state”, due on $due ($remaining), and has not been "
            "completed yet.\n\n"
            "Not yet acted:\n$waiting\n\n"
            "Please follow up so that it is completed without further delay.\n\n"
            "$link_line\n\n$signature\n",
        ),
        "notice": (
            "[Emulation] $title",
            "$greeting\n\n$text\n\n$link_line\n\n$signature\n",
        ),
        "returned": (
            "[Emulation] Returned: $title",
            "$greeting\n\n"
            "“$title” was returned by $by with this comment:\n\n$comment\n\n"
            "Please revise it as asked and submit it again in the system.\n\n"
            "$link_line\n\n$signature\n",
        ),
        "digest": (
            "[Emulation] Daily summary for $date ($count_items)",
            "$greeting\n\nHere are the $count notifications of $date:\n\n$items\n\n$signature\n",
        ),
    },
}


def resolve_locale(locale: str | None) -> str:
    """The locale itself when thidua has texts for it, otherwise Vietnamese (the default)."""
    return locale if locale in LOCALES else DEFAULT_LOCALE


def render(kind: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The subject and plain-text body of a message of this kind, in this locale."""
    if locale not in _TEMPLATES:
        raise ValueError(f"unknown locale {locale!r}: expected one of {', '.join(LOCALES)}")
    if kind not in _TEMPLATES[locale]:
        raise ValueError(f"unknown message kind {kind!r}: expected one of {', '.join(KINDS)}")
    subject, body = _TEMPLATES[locale][kind]
    values = _common_values(locale, context) | _VALUES[kind](locale, context)
    return _one_line(Template(subject).substitute(values)), _tidy(Template(body).substitute(values))


def message_rows(
    *, user_id: int, email: str | None, kind: str, instance_id: int, subject: str, body: str,
    link: str, now: dt.datetime,
) -> list[dict[str, Any]]:
    """The messages to queue for one person: in the app, and by e-mail when they have an
    address (the sender delivers the e-mail; the inbox shows the in-app one)."""
    channels: list[tuple[str, str | None]] = [("in_app", None)]
    if email:
        channels.append(("email", email))
    return [{"channel": channel, "user_id": user_id, "address": address, "kind": kind,
             "instance_id": instance_id, "deadline_id": None, "subject": subject, "body": body,
             "link": link, "digest_date": None, "status": "pending", "attempts": 0,
             "created_at": now} for channel, address in channels]


def link_line(locale: str, link: str) -> str:
    """The closing line that points to the item, e.g. "Xem chi tiết tại: https://…"."""
    return Template(_COMMON[resolve_locale(locale)]["link"]).substitute(link=link)


def format_date(value: Any, locale: str) -> str:
    """A date as dd/mm/yyyy (vi) or yyyy-mm-dd (en); accepts a date, datetime or ISO text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a date: {value!r}") from None
    if not isinstance(value, dt.date):
        raise ValueError(f"not a date: {value!r}")
    return value.strftime(_DATE_FORMATS[locale])


def _required(kind: str, context: Mapping[str, Any], key: str) -> Any:
    value = context.get(key)
    if value is None or value == "":
        raise ValueError(f"{kind}: the context lacks {key!r}")
    return value


def _common_values(locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    texts = _COMMON[locale]
    recipient = context.get("recipient")
    link = context.get("link")
    greeting = (Template(texts["greeting"]).substitute(recipient=recipient) if recipient
                else texts["greeting_anonymous"])
    link_line = Template(texts["link"]).substitute(link=link) if link else ""
    return {"greeting": greeting, "link_line": link_line, "signature": texts["signature"]}


def _remaining(locale: str, days_left: Any) -> str:
    if isinstance(days_left, bool) or not isinstance(days_left, int):
        raise ValueError(f"days_left: expected a whole number, got {days_left!r}")
    texts = _COMMON[locale]
    if days_left == 0:
        return texts["due_today"]
    key = ("day" if abs(days_left) == 1 else "days") + ("_left" if days_left > 0 else "_late")
    return Template(texts[key]).substitute(n=abs(days_left))


def _deadline_values(kind: str, locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    return {
        "title": _one_line(str(_required(kind, context, "title"))),
        "state": str(_required(kind, context, "state")),
        "due": format_date(_required(kind, context, "due_date"), locale),
        "remaining": _remaining(locale, _required(kind, context, "days_left")),
    }


def _reminder_values(locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    return _deadline_values("reminder", locale, context)


def _escalation_values(locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    waiting = _required("escalation", context, "waiting_on")
    names = [waiting] if isinstance(waiting, str) else [str(name) for name in waiting]
    return _deadline_values("escalation", locale, context) | {
        "waiting": "\n".join(f"  - {name}" for name in names)
    }


def _notice_values(locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    return {
        "title": _one_line(str(_required("notice", context, "title"))),
        "text": str(_required("notice", context, "text")),
    }


def _returned_values(locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    return {
        "title": _one_line(str(_required("returned", context, "title"))),
        "comment": str(_required("returned", context, "comment")).strip(),
        "by": _one_line(str(_required("returned", context, "by"))),
    }


def _digest_values(locale: str, context: Mapping[str, Any]) -> dict[str, str]:
    items: Sequence[Mapping[str, Any]] = _required("digest", context, "items")
    link_text = _COMMON[locale]["link"]
    lines: list[str] = []
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {_one_line(str(_required('digest item', item, 'subject')))}")
        if item.get("link"):
            lines.append("   " + Template(link_text).substitute(link=item["link"]))
    count = len(items)
    return {
        "date": format_date(_required("digest", context, "date"), locale),
        "count": str(count),
        "count_items": f"{count} item" if count == 1 else f"{count} items",
        "items": "\n".join(lines),
    }


_VALUES: dict[str, Callable[[str, Mapping[str, Any]], dict[str, str]]] = {
    "reminder": _reminder_values,
    "escalation": _escalation_values,
    "notice": _notice_values,
    "returned": _returned_values,
    "digest": _digest_values,
}


def _one_line(text: str) -> str:
    """Text fit for a subject line: no line breaks, single spaces."""
    return " ".join(text.split())


def _tidy(body: str) -> str:
    """Drop the blank paragraphs an absent optional part leaves behind."""
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
