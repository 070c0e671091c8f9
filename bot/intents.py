"""What a message asks: the intent, from cue words, slots and the conversation so far."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.conversation import Context
from bot.slots import Slots, has_tail_label
from bot.vocabulary import Vocabulary


class Intent(StrEnum):
    """The kinds of question the bot answers (and the replies that are not answers)."""

    GREETING = "greeting"
    THANKS = "thanks"
    MENU = "menu"
    HANDOFF = "handoff"
    RESULT = "result"
    PRIVACY = "privacy"
    COMPLAINT = "complaint"
    OUT_OF_SCOPE = "out_of_scope"
    LOTTERY = "lottery"
    SIGNING = "signing"
    LISTING = "listing"
    ELIGIBILITY = "eligibility"
    MATERIALS = "materials"
    PROCEDURE = "procedure"
    NOTICES = "notices"
    # Whether and how a rent or price was set or changed: answered from the decisions.
    DECISIONS = "decisions"
    CATALOG = "catalog"
    GENERAL = "general"


# Information intents, most specific first: when several cue lists match, the earlier wins.
_INFORMATION_ORDER = (
    Intent.CATALOG,
    Intent.SIGNING,
    Intent.LOTTERY,
    Intent.MATERIALS,
    Intent.ELIGIBILITY,
    Intent.LISTING,
    Intent.NOTICES,
    Intent.PROCEDURE,
)
_SHORT_KEYWORD_MESSAGE = 6
# Asking for other people's data in bulk: a list, or names and ID numbers "all sent to me".
_LIST_REQUEST = re.compile(
    r"名单.{0,12}(发我|给我|一份|导出|全部)|(发我|给我).{0,8}名单|住户名单|所有人"
    r"|(名字|姓名|身份证).{0,10}(都|全)?(发我|给我|一份)|那几个人|那些人的"
)
_OTHERS_ID = re.compile(r"(身份证号|身份证号码|证件号)(是多少|多少|发我|给我|告诉我)")
# Cue sets that change the subject even in a short follow-up.
# Words of working something out: about a price when one is named, else about eligibility.
_CALCULATION_CUES = frozenset({"标准", "咋算", "怎么算"})
_PRICE_WORDS = ("租金", "房租", "多少钱", "价格", "售价", "一平", "每平")
# Words of a tenancy already held: with them, "还能住" asks about keeping the flat.
_TENANT_CUES = frozenset({"能住"})
_TENANCY_WORDS = ("合同", "这房子", "这套房", "承租", "住着", "现在住", "继续住", "租的这")
_HOUSING_STEPS = frozenset({Intent.ELIGIBILITY, Intent.SIGNING, Intent.LOTTERY, Intent.RESULT})
_SELLING_WORDS = ("卖", "出售", "上市交易", "转让")
# ...but "还剩几套" with 卖 asks what the bureau still has for sale.
_STOCK_WORDS = ("还剩", "还有", "几套", "多少套", "房源", "剩")
_PRIVATE_LANDLORD_WORDS = ("房东", "房主")
# Money handed over for a promised flat ("交五千块保证能分上", "给他钱包分到"): a report of a fee
# scam, whatever words carry it. 保证金 (a deposit) promises nothing.
_PAYMENT = re.compile(r"(交|给|花|塞|送|收|拿)[^，。？?]{0,8}(钱|块|元|万|千|费|红包|好处)")
_GUARANTEE = re.compile(
    r"保证(?!金|书)|包(分|过|中|上|你|准)|(肯定|一定|准|稳)(能|分|上|中|过)|百分百|打包票"
)
# Getting a certificate another office issues (办残疾证, 居住证在哪办): not the bureau's business,
# even though its materials list may name that certificate as something to bring.
_CERTIFICATE_ERRAND = re.compile(
    r"(办|领|补办|申领|办理)(?!身份证)[\u4e00-\u9fff]{1,3}证(?![明件])"
    r"|(?<!身份)证(在哪|去哪|哪里|哪儿|咋|怎么|如何)(办|领|申请)"
)
_CONTRACT_SIGNING = re.compile(r"合同[^，。？?]{0,5}签|签[^，。？?]{0,3}合同")
# "两天了也没人来", "等了3个月了还没消息": time gone by and still nothing is a complaint.
_WAITED_IN_VAIN = re.compile(
    r"\d+\s*(天|个月|月|周|星期|年|小时)多?了?[^，。？?\d]{0,3}(也|还|都|仍|依然)(没|未|不见)"
)
_NEW_TOPIC = frozenset({Intent.ELIGIBILITY, Intent.CATALOG, Intent.COMPLAINT, Intent.RESULT})
_SPECIFIC_INFORMATION = frozenset(
    {Intent.CATALOG, Intent.SIGNING, Intent.LOTTERY, Intent.MATERIALS, Intent.ELIGIBILITY}
)
_PROJECT_DETAIL_WORDS = (
    "什么时候",
    "啥时候",
    "哪天",
    "分配",
    "分房",
    "在哪",
    "地址",
    "位置",
    "哪儿",
    "多少钱",
    "多大",
    "几楼",
    "给啥人",
    "啥人住",
)
_SELF_INTRODUCTION = re.compile(r"^(我叫|我是|本人)\S{2,4}$")
_FOLLOW_UP_LENGTH = 12
_POINTING_BACK = re.compile(r"那儿|那里|那边|那个|这个|那套|这套|那天|那时候|那次|上面说的|刚才")
_FOLLOW_UP_OPENERS = ("那", "那么", "还有", "另外", "再问", "然后", "要是", "如果", "那要")


@dataclass(frozen=True)
class Reading:
    """How the bot reads one message."""

    intent: Intent
    cues: frozenset[Intent] = field(default_factory=frozenset)
    follow_up: bool = False


def _cue_intents(text: str, vocabulary: Vocabulary) -> set[Intent]:
    found = set()
    patterns = vocabulary.cue_patterns
    for intent in Intent:
        pattern = patterns.get(intent.value)
        if pattern is not None and pattern.search(text):
            found.add(intent)
    if offers_paid_promise(text) or _WAITED_IN_VAIN.search(text):
        found.add(Intent.COMPLAINT)
    if _CONTRACT_SIGNING.search(text):
        # "合同上哪签", "合同啥时候签": signing asked with the words the other way round.
        found.add(Intent.SIGNING)
    if Intent.ELIGIBILITY in found and any(word in text for word in _PRICE_WORDS):
        # "租金咋算", "租金标准": how the rent is worked out, not who qualifies.
        other_cues = [c for c in vocabulary.cues("eligibility") if c not in _CALCULATION_CUES]
        if not any(cue in text for cue in other_cues):
            found.discard(Intent.ELIGIBILITY)
    if (
        Intent.LISTING in found
        and any(word in text for word in _SELLING_WORDS)
        and not any(word in text for word in _STOCK_WORDS)
    ):
        # "满5年卖的话要交多少钱": an owner selling, not a flat on offer.
        found.discard(Intent.LISTING)
        found.add(Intent.PROCEDURE)
    if Intent.SIGNING in found and any(word in text for word in _PRIVATE_LANDLORD_WORDS):
        # "房东不给签合同": the contract of a flat rented privately, not a 公租房 signing.
        found.discard(Intent.SIGNING)
    if Intent.ELIGIBILITY in found and any(word in text for word in _TENANCY_WORDS):
        # "合同上是他名字，这房子俺还能住不": a sitting tenant asks about keeping the flat.
        other_cues = [c for c in vocabulary.cues("eligibility") if c not in _TENANT_CUES]
        if not any(cue in text for cue in other_cues):
            found.discard(Intent.ELIGIBILITY)
            found.add(Intent.PROCEDURE)
    return found


def offers_paid_promise(text: str) -> bool:
    """True when someone is said to take money for a flat they promise (a fee scam)."""
    return bool(_PAYMENT.search(text) and _GUARANTEE.search(text))


def _only_pleasantry(text: str, words: tuple[str, ...]) -> bool:
    rest = text
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    return not re.sub(r"[\W_啊呀哈啦了的吧呢嘛哦~你您]+", "", rest)


def _out_of_scope(text: str, vocabulary: Vocabulary, slots: Slots, cues: set[Intent]) -> bool:
    if not any(topic in text for topic in vocabulary.out_of_scope) and not (
        _CERTIFICATE_ERRAND.search(text)
    ):
        return False
    in_scope = any(word in text for word in vocabulary.housing_words)
    # "签合同那几天我在医院住院": a step of the bureau's own process keeps it in scope.
    asks_housing = bool(cues & _HOUSING_STEPS)
    return not (in_scope or slots.projects or slots.housing_type or asks_housing)


def read_intent(text: str, slots: Slots, context: Context, vocabulary: Vocabulary) -> Reading:
    """The intent of a normalised, corrected message given its slots and the context."""
    cues = _cue_intents(text, vocabulary)
    frozen = frozenset(cues)
    if not text.strip():
        return Reading(Intent.MENU, frozen)
    if (slots.full_id_given and not slots.person_name) or _LIST_REQUEST.search(text):
        return Reading(Intent.PRIVACY, frozen)
    short = len(text) <= _SHORT_KEYWORD_MESSAGE
    if Intent.HANDOFF in cues and short:
        return Reading(Intent.HANDOFF, frozen)
    if Intent.MENU in cues and _only_pleasantry(text, vocabulary.cues("menu")):
        return Reading(Intent.MENU, frozen)
    if Intent.GREETING in cues and _only_pleasantry(text, vocabulary.cues("greeting")):
        return Reading(Intent.GREETING, frozen)
    if Intent.THANKS in cues and _only_pleasantry(text, vocabulary.cues("thanks")):
        return Reading(Intent.THANKS, frozen)
    if _OTHERS_ID.search(text) and slots.person_name and not slots.id_tail:
        return Reading(Intent.PRIVACY, frozen)
    pending = bool(context.pending_name) and context.intent == Intent.RESULT.value
    if slots.full_id_given and slots.person_name:
        # Name plus a typed full ID: looked up by name and its last four (never echoed).
        return Reading(Intent.RESULT, frozen)
    if slots.id_tail and (slots.person_name or pending):
        return Reading(Intent.RESULT, frozen, follow_up=not slots.person_name)
    if slots.person_name and (Intent.RESULT in cues or _SELF_INTRODUCTION.match(text)):
        return Reading(Intent.RESULT, frozen)
    if slots.id_tail and has_tail_label(text):
        # "后四位0741" and nothing else to go on: the look-up asks for the name.
        return Reading(Intent.RESULT, frozen)
    if _out_of_scope(text, vocabulary, slots, cues):
        return Reading(Intent.OUT_OF_SCOPE, frozen)
    if Intent.COMPLAINT in cues:
        return Reading(Intent.COMPLAINT, frozen)
    if Intent.RESULT in cues and slots.person_name:
        return Reading(Intent.RESULT, frozen)
    follow_up = _looks_like_follow_up(text, context, cues)
    if follow_up and context.intent == Intent.RESULT.value and not cues - {Intent.RESULT}:
        # After a result, "还能再争取一下不" is about what to do next, not another look-up.
        return Reading(Intent.PROCEDURE, frozen, follow_up=True)
    inherited = _inherited_notice_intent(cues, slots, context, follow_up)
    if inherited is not None:
        return Reading(inherited, frozen, follow_up=True)
    if slots.figures.given and (
        slots.housing_type == "租赁补贴" or Intent.ELIGIBILITY in cues or _only_own_housing(slots)
    ):
        # Figures about one's own household (人均住房面积10平, 2口人) ask whether one qualifies.
        return Reading(Intent.ELIGIBILITY, frozen, follow_up=follow_up)
    if _asks_about_housing(text, slots) and not cues & _SPECIFIC_INFORMATION:
        return Reading(Intent.LISTING, frozen, follow_up=follow_up)
    for intent in _INFORMATION_ORDER:
        if intent in cues:
            return Reading(intent, frozen, follow_up=follow_up)
    if slots.figures.given:
        return Reading(Intent.ELIGIBILITY, frozen, follow_up=follow_up)
    if context.intent and _looks_like_follow_up(text, context, cues):
        try:
            return Reading(Intent(context.intent), frozen, follow_up=True)
        except ValueError:
            pass
    return Reading(Intent.GENERAL, frozen, follow_up=_looks_like_follow_up(text, context, cues))


def _inherited_notice_intent(
    cues: set[Intent], slots: Slots, context: Context, follow_up: bool
) -> Intent | None:
    """A short follow-up to a lottery or signing answer ("几点开始？在哪儿", "那天得带啥")
    stays with that notice unless it names something new (a project, a housing type)."""
    if not follow_up or context.intent not in (Intent.LOTTERY.value, Intent.SIGNING.value):
        return None
    if slots.projects or slots.housing_type or cues & _NEW_TOPIC:
        return None
    return Intent(context.intent)


def _only_own_housing(slots: Slots) -> bool:
    """An area given is the resident's own (人均住房面积), not a flat they look for."""
    figures = slots.figures
    return figures.per_capita_area is not None and not (slots.projects or slots.unit_type)


def _asks_about_housing(text: str, slots: Slots) -> bool:
    """A 套型, an area, or a project with where/how much: a question about 房源."""
    if slots.unit_type or slots.area is not None or slots.ordering:
        return True
    return bool(slots.projects) and any(word in text for word in _PROJECT_DETAIL_WORDS)


def _looks_like_follow_up(text: str, context: Context, cues: set[Intent]) -> bool:
    """A short message, one opening with 那…, one pointing back (那儿, 这个), or one naming no
    topic at all ("俺家三口人，低保，没自己的房") leans on the previous turn."""
    if not context.intent:
        return False
    short = len(text) <= _FOLLOW_UP_LENGTH
    pointing = text.startswith(_FOLLOW_UP_OPENERS) or bool(_POINTING_BACK.search(text))
    return short or pointing or not cues
