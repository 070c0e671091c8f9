"""Every fixed sentence the bot says, in one place (plain, short Chinese).

Placeholders in braces are filled by compose.py; anything taken from the material (a phone
number, an address) is never written here but read from what the bureau published.
"""

from __future__ import annotations

SOURCE_PREFIX = "来源："
SOURCE_ITEM = "《{title}》（{date}）"
UNDATED = "未注明日期"
MORE_SOURCES_SEPARATOR = "；"

NOT_FOUND = "抱歉，已公开的材料里没有找到这个问题的答案。您的问题已转给工作人员，会尽快答复。"
LOW_CONFIDENCE_NOTE = (
    "以上是公开材料中最接近的内容，可能不完全对应您的问题，已同时转给工作人员核实。"
)
CONTACT = "如需咨询，可拨打{contact}。"
CONTACT_UNKNOWN = "如需咨询，请联系当地住房保障部门。"

OUT_OF_SCOPE = (
    "这里只解答保障性住房（公租房、经济适用住房、租赁补贴）方面的问题，这个问题不在服务范围内。"
)

GREETING = (
    "您好！我是住房保障问答助手，可以回答公租房、经济适用住房、租赁补贴的申请条件、材料、"
    "房源、摇号选房和审核结果等问题。"
)
THANKS = "不客气！还有其他问题可以随时问我。"
MENU_TITLE = "您可以这样问我："
MENU_LINES = (
    "申请条件：如“公租房申请条件是什么”“家里3口人月收入5000能申请吗”",
    "所需材料：如“申请公租房要带什么材料”",
    "房源信息：如“还有哪些房源”“两居室租金多少”",
    "摇号公告：如“下一批什么时候摇号”",
    "结果查询：发送“姓名＋身份证后四位”，如“张三 后四位1234”",
    "联系我们：如“办公地址和时间”",
    "转人工：发送“人工”，工作人员会尽快答复",
)
HANDOFF = (
    "已为您转给工作人员，将在{days}个工作日内答复，请留意消息。也可以先把问题详细写下来发给我。"
)

ASK_FOR_TAIL = (
    "为保护个人信息，查询审核或分配结果需要提供本人姓名和身份证号码后四位，如“张三 后四位1234”。"
)
ASK_FOR_NAME = "请同时提供姓名和身份证号码后四位，如“张三 后四位1234”，以便查询公示结果。"
FULL_ID_REFUSED = (
    "为保护个人信息，请不要发送完整的身份证号码。查询结果只需要提供姓名和身份证号码后四位，"
    "如“张三 后四位1234”。"
)
NO_LISTS = (
    "公示名单只在公开渠道整体公示，这里不提供他人的信息或名单。查询本人结果，"
    "请发送本人姓名和身份证号码后四位。"
)
RESULT_NOT_FOUND = (
    "没有找到与您提供的姓名和身份证后四位都相符的公示记录。请核对后重新发送；"
    "也可能相关结果尚未公示。"
)
RESULT_FOUND_INTRO = "查到以下公示记录："
FULL_ID_NOTE = "提示：为保护个人信息，今后查询只需发送姓名和身份证号码后四位，不要发送完整号码。"
RESULT_NO_ALLOCATION_YET = "在已公示的分配结果中没有找到您的分配记录。"
RESULT_NEXT_STEP = "与此相关的最新公告：{line}"
PUBLISHED_AT = "公示结果在{channels}公布。"

COMPLAINT_ACK = "您反映的情况已收到，我们很重视。"
TICKET = "登记编号：{number}。工作人员将在{days}个工作日内（{deadline}前）答复您。"
TICKET_PENDING = "工作人员将在{days}个工作日内答复您。"
RELATED_RULE = "相关规定供参考："
REPORT_LINE = "也可拨打监督举报电话{phone}。"

LISTING_INTRO = "{title}中的房源："
LISTING_NONE = "公开的房源信息中没有找到符合条件的房源。"
LISTING_AVAILABLE = "待分配{count}套"
RENT_PER_MONTH = "参考月租金{amount}元"

ELIGIBILITY_INTRO = "按您提供的情况，对照公开的条件："
ELIGIBILITY_MEETS = "符合"
ELIGIBILITY_MISSES = "不符合"
ELIGIBILITY_UNKNOWN_LIMIT = "公开材料中没有写明{what}的具体标准。"
ELIGIBILITY_DISCLAIMER = "以上只是初步对照，是否符合条件以审核部门的审核结果为准。"
INCOME_PER_PERSON = "家庭人均月收入约{amount}元"
SUBSIDY_ESTIMATE = "按公开的计算公式，月租赁补贴约为{formula}＝{amount}元（实际以审核为准）。"

NOTICES_INTRO = "最近公开的信息："
PUBLISHED_ON = "《{title}》于{date}公开。"
CATALOG_CHANNELS = "“{item}”通过{channels}公开"
CATALOG_DEADLINE = "公开时限：{deadline}"
CATALOG_BODY = "负责公开的单位：{body}"
CATALOG_ELEMENTS = "公开内容：{elements}"

MORE_HINT = "（内容较长，回复“更多”查看后续{link}）"
MORE_LINK = "，或打开 {url}"
NOTHING_MORE = "没有更多内容了。"

VOICE_UNRECOGNISED = "抱歉，没能识别这条语音，请直接输入文字提问。"
MEDIA_REPLY = "暂时只能回答文字问题，请用文字描述您想咨询的内容。"
LOCATION_REPLY = "收到您的位置。如需办理地点，可以问我“去哪里申请”“办公地址在哪”。"
LINK_REPLY = "收到您分享的链接。如有关于保障性住房的问题，请直接用文字提问。"
RATE_LIMITED = "您发送得太快了，请稍等片刻再提问。"
TOO_SLOW = "问题已收到，答案稍后发给您。"

SATISFACTION_PROMPT = "这个回答对您有帮助吗？回复“满意”或“不满意”。"
SATISFIED_THANKS = "感谢您的评价！"
DISSATISFIED_ACK = "抱歉没能帮到您，问题已转给工作人员，会尽快答复。"

MENU_BUTTONS = "也可以点下方菜单：{buttons}。随时发送“帮助”再看这份说明，发送“人工”转工作人员。"
EMPTY_MESSAGE = "请直接输入您想咨询的问题，例如“公租房申请条件是什么”。"

# Ratings of answers (满意 / 不满意, or the web chat's buttons).
NOTHING_TO_RATE = "没有找到您最近的提问，暂时无法评价。有问题请直接输入，如“公租房申请条件”。"
