"""The privacy detector that guards every publication (RULES R21, S1 (十五)) and the hotline's
replies: personal data of private persons in a text to be published.

`scan(text)` returns `Finding`s (kind, start, end, text, reason); `redact(text, findings)`
replaces each with a visible marker naming what was removed and the legal ground, so readers
see that something was withheld and why (transparent redaction).

Detectors, cheapest first; each is a real rule, not a pattern guess:

* ``id_number`` — 18 characters passing R1 (region, a real birth date, the check character),
  or an old 15-digit number with a province code and a real birth date; other long numbers
  (project codes, USCCs, invalid check characters) pass;
* ``phone`` — mainland mobiles (1[3-9]x, spaces, hyphens, +86); landlines only in a private
  context (家庭电话, 当事人 …) — government hotlines and office numbers are public;
* ``bank_card`` — 16–19 digits passing Luhn, with a card context (or a card-issuer prefix at
  the card lengths 16 and 19);
* ``address`` — a residence after 住址 / 家住 / 居住在 … down to the building, unit or room,
  or a unit-and-room address outside an office context;
* ``name_sensitive`` — a person's name (jieba's ``nr`` tag, or a surname-led name right after
  the context word) near 患者, 当事人, 处罚, 住址, 身份证 …; jieba runs only in windows
  around those words, so the cost stays proportional to the sensitive passages.

Officials named in their official capacity (市长张某某, 执法人员), masked forms (王某, 李女士,
138****5678) and 文号, dates, amounts, USCCs are not findings.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from . import masking
from .identifiers import IdentifierError, validate_id_number, validate_uscc

LEGAL_GROUND = "《中华人民共和国政府信息公开条例》第十五条"


class Kind:
    ID_NUMBER = "id_number"
    PHONE = "phone"
    BANK_CARD = "bank_card"
    ADDRESS = "address"
    NAME = "name_sensitive"


LABELS = {
    Kind.ID_NUMBER: "公民身份号码",
    Kind.PHONE: "个人电话号码",
    Kind.BANK_CARD: "银行卡号",
    Kind.ADDRESS: "个人住址",
    Kind.NAME: "个人姓名",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    reason: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def masked(self) -> str:
        if self.kind == Kind.ID_NUMBER:
            return masking.mask_id_number(self.text)
        if self.kind in (Kind.PHONE, Kind.BANK_CARD):
            digits = re.sub(r"\D", "", self.text)
            return masking.mask_phone(digits) if self.kind == Kind.PHONE else masking.mask_id_number(digits)
        if self.kind == Kind.NAME:
            return masking.mask_name(self.text)
        return self.text[:2] + "*" * max(len(self.text) - 2, 1)

    def as_dict(self, *, with_text: bool = False) -> dict:
        row = asdict(self)
        if not with_text:
            row.pop("text")
        row["masked"] = self.masked
        row["label"] = self.label
        return row


# --- helpers --------------------------------------------------------------------------------------

_NOT_DIGIT_BEFORE = r"(?<![0-9A-Za-z０-９])"
_NOT_DIGIT_AFTER = r"(?![0-9A-Za-z０-９])"


def _before(text: str, start: int, width: int) -> str:
    return text[max(0, start - width) : start]


def _after(text: str, end: int, width: int) -> str:
    return text[end : end + width]


class _Spans:
    """A set of text spans kept as sorted, disjoint runs (overlapping spans are merged, which
    leaves "overlaps any" and "lies within one" unchanged for the spans added here: finditer's
    matches do not overlap). Tests by bisection, so a scan stays near-linear in its findings."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in spans:
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        j = i
        if i > 0 and self.ends[i - 1] > start:
            i -= 1
            start = self.starts[i]
        while j < len(self.starts) and self.starts[j] < end:
            end = max(end, self.ends[j])
            j += 1
        end = max(end, self.ends[i] if i < j else end)
        self.starts[i:j] = [start]
        self.ends[i:j] = [end]

    def overlaps(self, start: int, end: int) -> bool:
        """Some span shares a character with [start, end) (or holds `start`, for an empty range)."""
        i = bisect.bisect_left(self.starts, max(end, start + 1))
        return i > 0 and self.ends[i - 1] > start

    def contains(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        return i > 0 and self.ends[i - 1] >= end


def _near(words: re.Pattern, text: str, start: int, end: int, before: int, after: int = 0) -> bool:
    return bool(words.search(_before(text, start, before)) or (after and words.search(_after(text, end, after))))


# --- ID numbers (R1) ------------------------------------------------------------------------------

_ID18 = re.compile(
    _NOT_DIGIT_BEFORE + r"([1-9]\d{5})[ ]?((?:18|19|20)\d{2}[01]\d[0-3]\d)[ ]?(\d{3}[0-9Xx])" + _NOT_DIGIT_AFTER
)
_ID15 = re.compile(_NOT_DIGIT_BEFORE + r"[1-9]\d{14}" + _NOT_DIGIT_AFTER)
_ID_CONTEXT = re.compile(r"身份证|身份号码|证件号|公民身份")
_CODE_CONTEXT = re.compile(r"编号|编码|代码|单号|批号|序号|文号|项目|合同|订单|流水|账号|帐号|卡号|登记号|许可证号")


def _id_numbers(text: str) -> Iterable[Finding]:
    for m in _ID18.finditer(text):
        number = "".join(m.groups())
        try:
            validate_id_number(number)
        except IdentifierError:
            continue
        yield Finding(Kind.ID_NUMBER, m.start(), m.end(), m.group(), "公民身份号码（校验码与出生日期有效）")
    for m in _ID15.finditer(text):
        number = m.group()
        if not _old_id_valid(number):
            continue
        if _near(_CODE_CONTEXT, text, m.start(), m.end(), 8) and not _near(_ID_CONTEXT, text, m.start(), m.end(), 12):
            continue
        yield Finding(Kind.ID_NUMBER, m.start(), m.end(), number, "15位旧版公民身份号码（出生日期有效）")


def _old_id_valid(number: str) -> bool:
    import datetime as dt

    from .identifiers import PROVINCES

    if number[:2] not in PROVINCES or number[2:6] == "0000":
        return False
    try:
        dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


# --- phone numbers --------------------------------------------------------------------------------

_MOBILE = re.compile(
    r"(?<![0-9A-Za-z０-９])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})" + _NOT_DIGIT_AFTER
)
_LANDLINE = re.compile(
    _NOT_DIGIT_BEFORE + r"(?:[(（]?0\d{2,3}[)）]?[\s-]?)?[2-8]\d{6,7}(?:[-转]\d{1,5})?" + _NOT_DIGIT_AFTER
)
_PRIVATE_PHONE = re.compile(
    r"家庭电话|住宅电话|宅电|家中电话|家里电话|个人电话|本人电话|其电话|私人电话|"
    r"当事人|申请人|被申请人|患者|家属|户主|举报人|投诉人|被处罚人|监护人|联系人[：:]?[\u4e00-\u9fff]{2,3}[，,]"
)
_PHONE_WORD = re.compile(r"电话|宅电|手机|联系方式|Tel|TEL|tel|致电|拨打|来电|座机|号码")
_PUBLIC_PHONE = re.compile(
    r"咨询|举报电话|投诉电话|监督电话|服务电话|办公电话|值班|热线|传真|受理电话|客服|服务中心|"
    r"办公室|政府|委员会|局|中心|窗口|大厅"
)


def _phones(text: str) -> Iterable[Finding]:
    taken = _Spans()
    for m in _MOBILE.finditer(text):
        taken.add(*m.span())
        yield Finding(Kind.PHONE, m.start(), m.end(), m.group(), "手机号码")
    for m in _LANDLINE.finditer(text):
        if taken.overlaps(m.start(), m.start()):
            continue
        if not _PHONE_WORD.search(_before(text, m.start(), 10)):
            continue  # a number that is not said to be a telephone number (住院号, 案号)
        context = _before(text, m.start(), 30)
        private = list(_PRIVATE_PHONE.finditer(context))
        if not private:
            continue
        public = list(_PUBLIC_PHONE.finditer(context))
        if public and public[-1].start() > private[-1].start():
            continue  # the nearest context word is an office's: an office number
        yield Finding(Kind.PHONE, m.start(), m.end(), m.group(), f"私人固定电话（上下文：{private[-1].group()}）")


# --- bank cards (Luhn) ----------------------------------------------------------------------------

_CARD = re.compile(_NOT_DIGIT_BEFORE + r"\d(?:[ -]?\d){15,18}" + _NOT_DIGIT_AFTER)
_CARD_CONTEXT = re.compile(
    r"银行卡|卡号|借记卡|信用卡|储蓄卡|社保卡|账号|帐号|账户|帐户|存折|开户行|开户银行|打入|转入|"
    r"汇入|收款|户名|银行"
)
_CARD_PREFIX = re.compile(r"62|4|5[1-5]|3[47]")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _bank_cards(text: str, ids: list[Finding]) -> Iterable[Finding]:
    id_spans = _Spans((f.start, f.end) for f in ids)
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
            continue
        if id_spans.overlaps(m.start(), m.end()):
            continue
        context = _near(_CARD_CONTEXT, text, m.start(), m.end(), 20)
        if not context:
            if len(digits) not in (16, 19) or not _CARD_PREFIX.match(digits):
                continue
            if _near(_CODE_CONTEXT, text, m.start(), m.end(), 10) or _near(_ID_CONTEXT, text, m.start(), m.end(), 12):
                continue
        yield Finding(Kind.BANK_CARD, m.start(), m.end(), m.group(), "银行卡号（Luhn 校验有效）")


# --- addresses of private persons -----------------------------------------------------------------

_CJK = r"\u4e00-\u9fff"
_ADDRESS_TRIGGER = re.compile(
    r"家庭住址|家庭地址|现住址|现住|住址|家住|居住在|居住于|居住地|现居住|现居|住在|暂住|"
    r"户籍地址|户籍所在地|户籍地|住所地|住所"
)
_ADDRESS_BODY = re.compile(rf"[：:为是在于\s]{{0,2}}([{_CJK}0-9０-９A-Za-z\-－#（）()号栋幢单元室层楼]{{2,40}})")
_FINE_GRAIN = re.compile(r"\d+\s*(?:号楼|号院|号|栋|幢|单元|室|层|组|户)|[村屯组]|小区|花园|公寓|家园|新村|苑|里\d")
_ORGANISATION = re.compile(
    r"公司|企业|单位|机构|医院|学校|协会|合作社|商行|商店|门店|药店|超市|厂|集团|事务所|"
    r"经营场所|办公地址|办公地点|注册地"
)
_UNIT_ROOM = re.compile(
    r"\d+\s*(?:号楼|栋|幢|号)\s*[-－]?\s*\d+\s*单元\s*[-－]?\s*\d+\s*(?:室|号)?|(?<!\d)\d{1,3}-\d{1,2}-\d{3,4}(?!\d)"
)
_OFFICE_AFTER = re.compile(r"\d*\s*(?:会议室|办公室|报告厅|服务大厅|窗口)")
_OFFICE = re.compile(r"办公|大厅|窗口|受理|服务中心|会议室|政府|局|委员会|管委会|地点|报名|地址：|场所|举办|召开")


def _addresses(text: str) -> Iterable[Finding]:
    seen = _Spans()
    for m in _ADDRESS_TRIGGER.finditer(text):
        body = _ADDRESS_BODY.match(text, m.end())
        if not body or not _FINE_GRAIN.search(body.group(1)):
            continue
        start, end = body.start(1), body.end(1)
        if m.group() in ("住所", "住所地", "居住地") and _near(_ORGANISATION, text, m.start(), m.start(), 25):
            seen.add(start, end)
            continue  # an organisation's registered seat is public
        end = start + len(body.group(1).rstrip("（("))
        seen.add(start, end)
        yield Finding(Kind.ADDRESS, start, end, text[start:end], f"个人住址（上下文：{m.group()}）")
    for m in _UNIT_ROOM.finditer(text):
        if seen.overlaps(m.start(), m.end()):
            continue
        if _near(_OFFICE, text, m.start(), m.end(), 20) or _OFFICE_AFTER.match(text, m.end()):
            continue
        if _near(_ORGANISATION, text, m.start(), m.end(), 30):
            continue
        yield Finding(Kind.ADDRESS, m.start(), m.end(), m.group(), "个人住址（楼栋、单元、室）")


# --- names in sensitive context -------------------------------------------------------------------

_NAME_TRIGGER = re.compile(
    r"患者|病人|病患|确诊|感染者|当事人|被处罚人|违法行为人|被申请人|被执行人|被告人|被告|原告|"
    r"犯罪嫌疑人|嫌疑人|服刑|社区矫正|戒毒|吸毒|住址|家住|居住在|身份证(?!明)|身份号码|病例|伤者|"
    r"低保|最低生活保障|特困|救助对象|困难群众|困难户|贫困户|残疾人|精神障碍|死者|遇难者|伤者|"
    r"处罚|拘留|罚款|申请人|户主|监护人|姓名"
)
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔"
    "伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍"
    "华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师"
    "和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉"
    "伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓"
    "修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "夏侯",
    "长孙",
    "宇文",
    "司徒",
    "令狐",
    "端木",
    "西门",
    "独孤",
    "南宫",
    "万俟",
    "呼延",
)
_MASKED_NAME = re.compile(r"某|氏|\*|＊|×|X|x|○|〇|女士|先生|同志|老师|师傅|大爷|大妈|阿姨")
_OFFICIAL = re.compile(
    r"市长|区长|县长|镇长|乡长|局长|厅长|处长|科长|股长|主任|书记|部长|院长|委员|主席|秘书长|总经理|"
    r"董事长|代表|执法人员|执法证|承办人|审核人|签发人|批准人|经办人|记者|检察官|法官|审判员|书记员|民警|"
    r"发言人|专家|教授|同志|负责人|领导|出席|主持|调研|视察|讲话|指出|强调|会见"
)
_NAME_AFTER_TRIGGER = re.compile(
    rf"(?:对象|人员|家属|病例|户主|户)?[：:，,\s]{{0,2}}(?:为|是|系)?([{_CJK}]{{2,4}}?)"
    r"(?=[，,。；;、（(\s：:]|男|女|性别|身份|家住|住|因|于|系|在|等|的|年|户|按|已|被|将|向|到|经|称|诉|驾驶|送|家|"
    r"符合|申请|反映|拒|未|现|与|及|和|共|$)"
)
_NOT_NAMES = frozenset(
    {
        "方面",
        "方式",
        "方案",
        "高度",
        "万元",
        "金额",
        "常见",
        "常规",
        "程序",
        "任何",
        "任务",
        "向社会",
        "于是",
        "应当",
        "须知",
        "申请人",
        "当事人",
        "患者",
        "本人",
        "其他",
        "有关",
        "相关",
        "未能",
        "未经",
        "未按",
        "名单",
        "信息",
        "情况",
        "姓名",
        "全部",
        "全体",
        "明确",
        "和谐",
        "成员",
        "成年",
        "安全",
        "平安",
        "文明",
        "华人",
        "国家",
        "国内",
        "云南",
        "海南",
        "江苏",
        "江西",
        "宁夏",
        "湖南",
        "关于",
        "单位",
        "万人",
        "政府",
        "管理",
        "公开",
        "包括",
        "时间",
        "时限",
        "时候",
        "经营",
        "陆续",
        "严重",
        "严格",
        "应急",
        "宣传",
        "计划",
        "左右",
        "和人",
        "解释",
        "路线",
        "向其",
        "于本",
        "于同",
        "于当",
        "马上",
        "康复",
        "戴口罩",
        "易感",
        "居住",
        "居民",
        "车辆",
        "连续",
        "简易",
        "简称",
        "承担",
        "申报",
        "身份",
        "单独",
        "党员",
    }
)
_TRIGGER_WINDOW = 12
_jieba_lock = threading.Lock()
_posseg = None


def _pseg():
    global _posseg
    if _posseg is None:
        with _jieba_lock:
            if _posseg is None:
                import logging

                import jieba
                import jieba.posseg

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _posseg = jieba.posseg
    return _posseg


def _looks_like_name(word: str) -> bool:
    if not 2 <= len(word) <= 4 or word in _NOT_NAMES or _MASKED_NAME.search(word):
        return False
    if word.startswith(_COMPOUND_SURNAMES):
        return len(word) >= 3
    return word[0] in _SURNAMES and all("\u4e00" <= c <= "\u9fff" for c in word)


def _dictionary_word(word: str, *, prefix: bool = True) -> bool:
    """A common word of jieba's dictionary that is not a name (应当, 韩国, 陈述): a surname-led
    candidate starting with one is not taken for a name."""
    pseg = _pseg()
    tags, freq = pseg.dt.word_tag_tab, pseg.dt.tokenizer.FREQ
    for w in (word, word[:2]) if prefix else (word,):
        count = freq.get(w) or 0
        if (count > 20 and not tags.get(w, "").startswith("nr")) or count > 300:
            return True  # frequent words tagged nr in the dictionary are mostly not names (陈述)
    return False


_HAN_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")  # the blocks jieba segments (its re_han_default)


def _tagged(text: str) -> list[tuple[str, str]]:
    """jieba's words of `text` with their dictionary tags. Words the HMM segmenter found outside
    the dictionary (most given names are) are tagged ``nr`` when they look like a name. This is
    jieba.posseg's result for dictionary words at a fifth of its cost: posseg's joint
    segmentation-and-tagging Viterbi over every tag is what made the scan slow on dense text.
    Text between jieba's blocks (punctuation, spaces) is one ``x`` token."""
    tagged: list[tuple[str, str]] = []
    for i, part in enumerate(_HAN_BLOCK.split(text)):
        if not part:
            continue
        if i % 2:
            tagged += _tagged_block(part)
        else:
            tagged.append((part, "x"))
    return tagged


@functools.lru_cache(maxsize=50_000)
def _tagged_block(block: str) -> tuple[tuple[str, str], ...]:
    """One block's tagged words. Cached: documents repeat their phrases (申请人、违法事实如下、
    补贴资金已发放至), and a block's segmentation does not depend on what surrounds it."""
    pseg = _pseg()
    tags = pseg.dt.word_tag_tab
    out = []
    for word in pseg.dt.tokenizer.cut(block, HMM=True):
        flag = tags.get(word)
        if flag is None:
            flag = "nr" if _looks_like_name(word) else "x"
        out.append((word, flag))
    return tuple(out)


def _name_tokens(text: str) -> Iterable[tuple[int, str]]:
    """(offset, name) of jieba's person names, a surname token joined to its given name (jieba
    often cuts 王秀英 into 王/nr + 秀英/nr)."""
    tokens = _tagged(text)
    pos, i = 0, 0
    while i < len(tokens):
        word, flag = tokens[i]
        if len(word) == 1 and word in _SURNAMES and i + 1 < len(tokens):
            nxt, nxt_flag = tokens[i + 1]
            if nxt_flag.startswith("nr") and 1 <= len(nxt) <= 2 and flag in ("nr", "j", "n", "nrt", "nrfg"):
                yield pos, word + nxt
                pos += len(word) + len(nxt)
                i += 2
                continue
        if (flag.startswith("nr") and flag != "nrt") or (flag == "nrt" and len(word) == 3):
            yield pos, word
        pos += len(word)
        i += 1


def _official(text: str, start: int, end: int) -> bool:
    return bool(
        _OFFICIAL.search(_before(text, start, 6))
        or _OFFICIAL.match(_after(text, end, 6))
        or re.match(r"[\s,，、]?(?:市长|区长|局长|主任|书记|同志|副)", _after(text, end, 4))
    )


def _names(text: str) -> Iterable[Finding]:
    found: dict[tuple[int, int], Finding] = {}
    spans = _Spans()
    windows: list[tuple[int, int]] = []
    for m in _NAME_TRIGGER.finditer(text):
        after = _NAME_AFTER_TRIGGER.match(text, m.end())
        if (
            after
            and _looks_like_name(after.group(1))
            and not _dictionary_word(after.group(1))
            and not _official(text, after.start(1), after.end(1))
        ):
            s, e = after.span(1)
            found[(s, e)] = Finding(Kind.NAME, s, e, after.group(1), f"敏感语境中的姓名（{m.group()}）")
            spans.add(s, e)
        lo, hi = max(0, m.start() - _TRIGGER_WINDOW), min(len(text), m.end() + _TRIGGER_WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    for lo, hi in windows:
        for offset, word in _name_tokens(text[lo:hi]):
            start, end = lo + offset, lo + offset + len(word)
            if (
                not _looks_like_name(word)
                or _dictionary_word(word, prefix=False)
                or (lo > 0 and start == lo)
                or (end == hi and hi < len(text))
            ):
                continue  # not a name, or cut by the window's edge
            if spans.overlaps(start, end) or _official(text, start, end):
                continue
            found[(start, end)] = Finding(Kind.NAME, start, end, word, "敏感语境中的姓名（分词识别）")
            spans.add(start, end)
    return found.values()


# --- public API -----------------------------------------------------------------------------------


def _usccs(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(_NOT_DIGIT_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{18}" + _NOT_DIGIT_AFTER, text):
        try:
            validate_uscc(m.group())
        except IdentifierError:
            continue
        spans.append(m.span())
    return spans


def scan(text: str) -> list[Finding]:
    """All findings in `text`, in order, without overlaps (the earlier, then longer, wins)."""
    if not text:
        return []
    ids = list(_id_numbers(text))
    found = ids + list(_phones(text)) + list(_bank_cards(text, ids)) + list(_addresses(text))
    if _NAME_TRIGGER.search(text):
        found += list(_names(text))
    codes = _Spans(_usccs(text))
    found = [f for f in found if f.kind == Kind.NAME or not codes.contains(f.start, f.end)]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    result: list[Finding] = []
    for f in found:
        if result and f.start < result[-1].end:
            continue
        result.append(f)
    return result


def marker(kind: str) -> str:
    return f"［已隐去{LABELS[kind]}，依据{LEGAL_GROUND}］"


def redact(text: str, findings: Iterable[Finding] | None = None) -> str:
    """The text with each finding replaced by a visible marker of its kind and legal ground."""
    findings = scan(text) if findings is None else sorted(findings, key=lambda f: f.start)
    parts, last = [], 0
    for f in findings:
        if f.start < last:
            continue
        parts.append(text[last : f.start])
        parts.append(marker(f.kind))
        last = f.end
    parts.append(text[last:])
    return "".join(parts)


# --- attachments ----------------------------------------------------------------------------------

MAX_EXTRACT = 2_000_000  # characters of an attachment's text that are scanned


class NoTextLayer(ValueError):
    """A PDF without extractable text (a scan): an officer must confirm it by eye (R21)."""


def extract_text(data: bytes) -> str:
    """The text of a PDF (pdfminer.six), a DOCX (python-docx) or a UTF-8 text file, decided by
    content, not by name. A PDF without a text layer raises `NoTextLayer`."""
    import io

    if data[:5] == b"%PDF-":
        from pdfminer.high_level import extract_text as pdf_text

        text = pdf_text(io.BytesIO(data)) or ""
        if not text.strip():
            raise NoTextLayer("PDF 没有文字层，需人工确认其中不含个人信息")
        return text[:MAX_EXTRACT]
    if data[:2] == b"PK":
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(parts)[:MAX_EXTRACT]
    return data.decode("utf-8", errors="ignore")[:MAX_EXTRACT]
