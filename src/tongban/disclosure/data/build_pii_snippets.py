"""Builds pii_snippets.json: hand-written snippets of government texts, labelled, with the
numbers in them generated so that they really are (or really are not) valid identifiers.

Run: .venv/bin/python src/tongban/disclosure/data/build_pii_snippets.py
Placeholders: {id} valid ID (R1), {id15} old 15-digit ID, {bad_id} ID with a wrong check
character, {bad_date_id} 18 digits with an impossible birth date, {mobile}, {mobile_sp} spaced,
{mobile86} +86, {card} Luhn-valid card, {card_sp} spaced card, {bad_card} Luhn-invalid,
{uscc} valid USCC, {land} a landline."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tongban.core.identifiers import id_check_character, uscc_check_character

RNG = random.Random(20260301)
REGIONS = [
    "210202",
    "210203",
    "210204",
    "210211",
    "210213",
    "210214",
    "210281",
    "210283",
    "110105",
    "370102",
    "220104",
    "230103",
    "620102",
]


def _birth() -> str:
    return f"{RNG.randint(1940, 2005)}{RNG.randint(1, 12):02d}{RNG.randint(1, 28):02d}"


def valid_id() -> str:
    first = RNG.choice(REGIONS) + _birth() + f"{RNG.randint(0, 999):03d}"
    return first + id_check_character(first)


def bad_id() -> str:
    good = valid_id()
    wrong = [c for c in "0123456789X" if c != good[-1]]
    return good[:17] + RNG.choice(wrong[:-1] if wrong[-1] == "X" else wrong)


def bad_date_id() -> str:
    first = (
        RNG.choice(REGIONS)
        + f"{RNG.randint(1950, 2000)}{RNG.choice(['13', '00', '02'])}{RNG.choice(['30', '31', '00'])}"
        + f"{RNG.randint(0, 999):03d}"
    )
    return first + id_check_character(first)


def old_id() -> str:
    return (
        RNG.choice(REGIONS)
        + f"{RNG.randint(40, 85)}{RNG.randint(1, 12):02d}{RNG.randint(1, 28):02d}"
        + f"{RNG.randint(0, 999):03d}"
    )


def mobile() -> str:
    return f"1{RNG.choice('3456789')}{RNG.randint(0, 9)}{RNG.randint(0, 99999999):08d}"


def _luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def card() -> str:
    body = RNG.choice(["622202", "621700", "622848", "623058", "621483", "622588"]) + "".join(
        str(RNG.randint(0, 9)) for _ in range(RNG.choice([9, 12]))
    )
    return body + _luhn_digit(body)


def bad_card() -> str:
    good = card()
    return good[:-1] + str((int(good[-1]) + 3) % 10)


def uscc() -> str:
    first = (
        "91"
        + RNG.choice(["210202", "210204", "210211", "210213"])
        + "".join(RNG.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return first + uscc_check_character(first)


def land() -> str:
    return f"0411-{RNG.randint(2, 8)}{RNG.randint(0, 9999999):07d}"


FILL = {
    "id": valid_id,
    "id15": old_id,
    "bad_id": bad_id,
    "bad_date_id": bad_date_id,
    "mobile": mobile,
    "mobile_sp": lambda: (lambda m: f"{m[:3]} {m[3:7]} {m[7:]}")(mobile()),
    "mobile86": lambda: "+86 " + mobile(),
    "mobile_dash": lambda: (lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}")(mobile()),
    "card": card,
    "card_sp": lambda: " ".join((lambda c: [c[i : i + 4] for i in range(0, len(c), 4)])(card())),
    "bad_card": bad_card,
    "uscc": uscc,
    "land": land,
}

POSITIVE = [
    # (text, kinds)
    ("当事人刘某，公民身份号码{id}，违法事实如下。", ["id_number"]),
    ("申请人身份证号：{id}，申请事项：最低生活保障。", ["id_number"]),
    ("经查，张某（身份证号码{id}）于2023年5月在本市无证经营。", ["id_number"]),
    ("附件：拟补助人员名单 序号1 赵某某 {id} 补助金额3000元", ["id_number"]),
    ("身份证号码 {id}", ["id_number"]),
    ("其公民身份号码为{id}。", ["id_number"]),
    ("受助人员：{id}，发放金额1200元。", ["id_number"]),
    ("证件号码：{id}；证件类型：居民身份证。", ["id_number"]),
    ("持有居民身份证（{id}）的申请人已通过审核。", ["id_number"]),
    ("被处罚人身份证号{id}，住所地大连市甘井子区。", ["id_number"]),
    ("公示名单：李某，{id}，拟认定为特困人员。", ["id_number"]),
    ("旧版身份证号码{id15}已换领。", ["id_number"]),
    ("当事人身份证号：{id15}，现已补正。", ["id_number"]),
    ("该户户主公民身份号码{id}，家庭人口3人。", ["id_number"]),
    ("2022年度高龄津贴发放名单：{id}、{id}。", ["id_number"]),
    ("请于3日内联系王先生，手机{mobile}。", ["phone"]),
    ("联系人：陈女士，联系电话：{mobile}", ["phone"]),
    ("举报人手机号{mobile}，要求保密。", ["phone"]),
    ("申请人联系方式：{mobile_sp}。", ["phone"]),
    ("当事人电话{mobile_dash}，已电话告知。", ["phone"]),
    ("如有疑问请拨打{mobile86}（张工）。", ["phone"]),
    ("患者家属电话{mobile}。", ["phone"]),
    ("承租人手机：{mobile}，租期三年。", ["phone"]),
    ("中标供应商联系人手机{mobile}。", ["phone"]),
    ("请及时与社区网格员联系，电话{mobile}。", ["phone"]),
    ("投诉人（{mobile}）反映小区供暖不热。", ["phone"]),
    ("来电人：市民，号码{mobile}，诉求：路灯不亮。", ["phone"]),
    ("被申请人家庭电话{land}，多次联系未果。", ["phone"]),
    ("当事人住宅电话：{land}。", ["phone"]),
    ("户主宅电{land}，手机{mobile}。", ["phone"]),
    ("举报人留下的个人电话为{land}。", ["phone"]),
    ("手机号码：{mobile}（本人）", ["phone"]),
    ("短信已发送至{mobile}。", ["phone"]),
    ("申请人电话 {mobile_sp}，邮寄地址见附件。", ["phone"]),
    ("补贴资金已发放至申请人银行卡{card}。", ["bank_card"]),
    ("收款账号：{card}，户名：王某。", ["bank_card"]),
    ("请核对本人社保卡号{card}是否正确。", ["bank_card"]),
    ("开户行：中国建设银行大连分行，卡号{card_sp}。", ["bank_card"]),
    ("补偿款已转入其借记卡（{card}）。", ["bank_card"]),
    ("赔偿金通过银行汇入被征收人账户{card}。", ["bank_card"]),
    ("发放明细：孙某 {card} 2000元。", ["bank_card"]),
    ("银行卡号 {card}", ["bank_card"]),
    ("信用卡{card}逾期未还，已移送。", ["bank_card"]),
    ("请将保证金退还至投标人账号{card}。", ["bank_card"]),
    ("资金拨付至储蓄卡{card_sp}。", ["bank_card"]),
    ("低保对象周某家住中山区民康街道青泥洼桥小区5号楼2单元301室。", ["address", "name_sensitive"]),
    ("当事人住址：大连市沙河口区五四路28号3-2-1。", ["address"]),
    ("申请人现住址为金州区友谊街道东山小区12栋1单元602。", ["address"]),
    ("该人员居住在甘井子区椒金山街道兴华路19号1单元。", ["address"]),
    ("被处罚人户籍地址：辽宁省庄河市青堆镇胜利村四组。", ["address"]),
    ("其家庭住址为西岗区香炉礁街道胜利路102号。", ["address"]),
    ("家住旅顺口区水师营街道小南村的李某某反映。", ["address"]),
    ("救助对象现居住于普兰店区丰荣街道金沙小区8号楼。", ["address"]),
    ("经核实，王某暂住于高新园区七贤岭街道学府家园3栋402室。", ["address"]),
    ("住所：大连市中山区人民路街道港湾小区7号楼4单元502室（个人）。", ["address"]),
    ("来信人反映其住在沙河口区春柳街道春光小区9号，楼道漏水。", ["address"]),
    ("房屋坐落于甘井子区泉水街道泉水H区6号楼2单元101室，产权人孙某。", ["address"]),
    ("患者张丽华，女，45岁，因发热就诊。", ["name_sensitive"]),
    ("当事人李建军驾驶机动车超速行驶。", ["name_sensitive"]),
    ("被处罚人：刘德胜，男，1968年出生。", ["name_sensitive"]),
    ("对违法行为人孙丽娟处以罚款500元。", ["name_sensitive"]),
    ("最低生活保障对象王秀英，共同生活家庭成员2人。", ["name_sensitive"]),
    ("确诊病例赵志强，系某小区居民。", ["name_sensitive"]),
    ("犯罪嫌疑人周海涛已被依法刑事拘留。", ["name_sensitive"]),
    ("经审核，申请人马玉兰符合特困人员供养条件。", ["name_sensitive"]),
    ("户主：杨文博，家庭人口4人。", ["name_sensitive"]),
    ("姓名：郑晓燕 性别：女 身份证号码见附件", ["name_sensitive"]),
    ("残疾人刘晓明申请一次性生活补贴。", ["name_sensitive"]),
    ("精神障碍患者高德明由其监护人看护。", ["name_sensitive"]),
    ("社区矫正对象韩立新按时报到。", ["name_sensitive"]),
    ("困难群众陈淑芬家庭情况已核查。", ["name_sensitive"]),
    ("行政处罚决定书 当事人：何志刚 违法行为：无照经营。", ["name_sensitive"]),
    ("被执行人吴建平拒不履行义务。", ["name_sensitive"]),
    ("救助对象：林桂芝、宋长海。", ["name_sensitive"]),
    ("原告徐明辉诉称被告违约。", ["name_sensitive"]),
    ("当事人张某，男，身份证号{id}，手机{mobile}。", ["id_number", "phone"]),
    ("申请人身份证{id}，银行卡{card}。", ["id_number", "bank_card"]),
    ("联系人刘某，电话{mobile}，住址：中山区桃源街道桃源小区3号楼1单元201室。", ["phone", "address"]),
    ("贫困户曲国强，身份证号{id}，家住庄河市光明山镇。", ["id_number", "name_sensitive"]),
    ("罚款缴纳人：王某，身份证号码{id}。", ["id_number"]),
    ("以下人员未按期领取：{id}（刘某）。", ["id_number"]),
    ("Tel: {mobile}（联系人 Zhang）", ["phone"]),
    ("获得补贴人员银行账号：{card}", ["bank_card"]),
    ("被征收人冯玉珍，住址：甘井子区革镇堡街道革镇堡村。", ["name_sensitive", "address"]),
    ("本人身份证号码：{id}，联系电话：{mobile}，特此申请。", ["id_number", "phone"]),
    ("患者家住西岗区白云街道大连路小区2号楼3单元，其电话{land}。", ["address", "phone"]),
    ("公示期间，监护人韦国华手机{mobile}。", ["name_sensitive", "phone"]),
    ("当事人：大连某某商贸有限公司；法定代表人手机：{mobile}。", ["phone"]),
    ("收款人：李某；卡号：{card_sp}；开户行：农业银行。", ["bank_card"]),
    ("申请人身份证号码{id}，申请公开2024年度预算。", ["id_number"]),
    ("经办人联系方式：{mobile}", ["phone"]),
    ("身份证：{id}", ["id_number"]),
    ("遇难者家属冯秀兰已获赔偿。", ["name_sensitive"]),
    ("伤者韩国栋送医救治。", ["name_sensitive"]),
    ("戒毒人员姜伟东已解除强制隔离戒毒。", ["name_sensitive"]),
    ("当事人于海洋于2024年4月2日到案。", ["name_sensitive"]),
    ("现住址：长海县大长山岛镇小盐场村，联系电话{mobile}。", ["address", "phone"]),
    ("申请人（身份证号：{id}）提出的申请已受理。", ["id_number"]),
    ("受理编号2024001，申请人手机{mobile}。", ["phone"]),
    ("乘车人身份证{id}，座位号05车12F。", ["id_number"]),
    ("开户银行：大连银行；账户：{card}；户名：赵某。", ["bank_card"]),
    ("入住居民杜丽萍，家住瓦房店市共济街道西山社区12组。", ["name_sensitive", "address"]),
    ("请当事人{id}于十日内陈述申辩。", ["id_number"]),
    ("住址：普兰店区皮口街道海防村三组17号", ["address"]),
    ("投诉人来电号码{mobile}。", ["phone"]),
    ("低保户石玉梅，现居住在金普新区拥政街道永安小区10号楼。", ["name_sensitive", "address"]),
    ("罚没款退还至当事人银行卡{card}。", ["bank_card"]),
    ("家属联系电话：{mobile_sp}；{mobile}。", ["phone"]),
    ("被告人龚文杰，身份证号{id}。", ["name_sensitive", "id_number"]),
]

NEGATIVE = [
    "根据《大连市人民政府关于加强安全生产工作的意见》（大政发〔2019〕12号）执行。",
    "按照国办发〔2017〕47号文件要求，做好政府网站管理。",
    "现将《大连市2024年政务公开工作要点》（大政办发〔2024〕5号）印发给你们。",
    "《辽宁省人民政府办公厅关于深入推进政务公开加强制度和平台建设的意见》（辽政办发〔2018〕55号）",
    "本通知自2024年3月1日起施行，有效期至2029年2月28日。",
    "会议于2023年12月18日上午9时在市政府第一会议室召开。",
    "项目总投资12345678.90元，其中市级财政资金6000万元。",
    "2024年全市一般公共预算收入完成807.6亿元，同比增长5.2%。",
    "大连某某餐饮有限公司（统一社会信用代码{uscc}）。",
    "中标单位：大连某某建设工程有限公司，统一社会信用代码：{uscc}。",
    "企业名称：大连某某科技有限公司 社会信用代码 {uscc} 经营范围：软件开发。",
    "政务服务便民热线：12345。",
    "咨询电话：12345，或拨打0411-83630000。",
    "报警请拨打110，火警119，急救120。",
    "监督举报电话：0411-12345。",
    "市政务服务中心咨询电话：0411-39882345，传真：0411-39882346。",
    "办公电话：0411-84632115（工作日8:30—17:00）。",
    "值班电话 0411-82763321",
    "市场监管投诉举报热线12315，价格举报电话12358。",
    "受理电话：（0411）86612345，受理地点：市民中心三楼。",
    "项目编号210200202600012345，总投资1.2亿元。",
    "合同编号：DL-2024-0001234567890。",
    "采购项目编号：2102002024000123，预算金额98万元。",
    "某号码{bad_id}因校验码错误未通过审核。",
    "身份证号{bad_id}校验失败，请重新输入。",
    "登记序号{bad_date_id}。",
    "数据编号{bad_date_id}已归档。",
    "卡号{bad_card}无效。",
    "订单号6222021234567890123已完成支付。",
    "市长张建国出席会议并讲话。",
    "副市长李明主持召开全市安全生产工作会议。",
    "市民政局局长王海涛介绍了全市最低生活保障工作情况。",
    "执法人员刘宏伟、陈力（执法证号21020012345、21020012346）对当事人进行了检查。",
    "新闻发言人孙晓东回答记者提问。",
    "签发人：赵永刚",
    "当事人王某，住所地大连市金州区。",
    "当事人李某某，男，因无照经营被处以罚款。",
    "申请人应当提交身份证明材料。",
    "当事人对处罚决定不服的，可以在收到本决定书之日起六十日内申请行政复议。",
    "患者应到定点医疗机构就医，费用按规定报销。",
    "最低生活保障标准由每人每月800元提高到850元。",
    "残疾人两项补贴申请需提供身份证、户口本和残疾人证。",
    "被处罚人如逾期不缴纳罚款，每日按罚款数额的3%加处罚款。",
    "申请人身份证号码应为18位，末位可能为X。",
    "居住证持有人可享受本市基本公共服务。",
    "住所地位于大连市中山区的企业可就近办理。",
    "大连某某有限公司，住所：大连市高新技术产业园区黄浦路537号3单元1001室。",
    "办公地址：大连市西岗区人民广场1号。",
    "受理地点：大连市民中心（沙河口区会展路18号）2号楼3单元服务大厅。",
    "市政务服务中心位于大连市沙河口区会展路18号。",
    "本次会议在市政府3号楼2单元502会议室召开。",
    "2024年第一季度受理依申请公开申请152件，办结148件。",
    "行政处罚罚款金额合计1,234,567元。",
    "文件编号：大政办发〔2023〕1号；索引号：11210200MB1234567X/2023-00012。",
    "全市共有各类市场主体102.3万户，同比增长8.1%。",
    "截至2024年6月30日，累计发放消费券3000万元。",
    "邮政编码116001",
    "网站标识码2102000001，ICP备案号辽ICP备05001234号。",
    "辽公网安备 21020202000123号",
    "请登录大连市人民政府门户网站（www.dl.gov.cn）查询。",
    "公告期为2024年5月6日至2024年5月20日。",
    "本办法所称困难群众，是指符合最低生活保障条件的家庭成员。",
    "各区市县人民政府，各先导区管委会，市政府各有关部门：",
    "当事人方面，应当如实陈述。",
    "申请人于2024年3月5日提交申请。",
    "市卫生健康委员会主任王某某在会上强调，要做好患者救治工作。",
    "会议强调，要严格落实处罚裁量基准。",
    "当事人可以通过12345热线反映情况。",
    "全年共作出行政处罚决定2305件，罚没款4567.8万元。",
    "统一社会信用代码{uscc}的企业已列入经营异常名录。",
    "市公安局户政咨询电话：0411-83631234。",
    "电话：0411-39059999（政务服务中心）",
    "联系电话：0411-83680000，联系人：市营商局办公室。",
    "第1234567890123456号文件已废止。",
    "资金账户余额123456789.12元。",
    "2023年12月31日前完成全部任务。",
    "GB/T 9704-2012《党政机关公文格式》规定了公文格式要素。",
    "ISBN 978-7-01-012345-6",
    "序号 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
    "单位：万元；年度：2024；科目编码：2080201。",
    "批准文号：国药准字H20063456。",
    "许可证编号：JY12102030012345。",
    "车牌号辽B12345的公务用车已完成处置。",
    "大连市营商环境建设局局长接待日安排在每月第一个周三。",
    "信访人可通过人民来信、网上信访等渠道反映诉求。",
    "身份证号码采用18位编码，由地址码、出生日期码、顺序码和校验码组成。",
    "社会保障卡是持卡人享受社会保障和公共服务的电子凭证。",
    "工程位于甘井子区营城子街道，建筑面积12000平方米。",
    "项目选址于旅顺口区三涧堡街道，用地面积3.5公顷。",
    "统计数据显示，全市常住人口745.1万人。",
    "本期共审核通过低保申请236户，退出保障148户。",
    "本条例自2019年5月15日起施行。",
    "办理时限：20个工作日。",
    "收费标准：每件100元（依据辽价发〔2015〕12号）。",
    "金普新区管委会主任刘志伟带队检查安全生产。",
    "区长王建新在调研时指出，要解决群众急难愁盼问题。",
    "扫描二维码或拨打96123了解公交线路。",
    "住房公积金服务热线12329。",
    "价格：人民币6222021234元（大写略）。",
    "专家组组长周立国教授作了说明。",
    "当事人李女士对处理结果表示满意。",
    "患者王某某已治愈出院。",
    "身份证号：2102**********1234",
    "联系电话：139****5678",
    "银行卡号：6222 **** **** 0128",
    "户名：大连市财政局；账号：3400 2001 0900 6712 345；开户行：工商银行大连分行。",
    "申请人：大连某某物流有限公司（{uscc}）",
    "各社区居民委员会要做好辖区居民的宣传工作。",
    "我局于2024年4月对辖区餐饮单位进行了专项检查。",
    "自然人申请人占比62.5%，法人或其他组织占比37.5%。",
    "电子证照编号：210200-2024-000123456789",
    "时间：2024年10月1日至7日，共7天。",
    "起草说明：本办法共五章三十条。",
]


def build() -> list[dict]:
    def fill(text: str) -> str:
        out = text
        while "{" in out:
            start = out.index("{")
            end = out.index("}", start)
            out = out[:start] + FILL[out[start + 1 : end]]() + out[end + 1 :]
        return out

    rows = []
    for text, kinds in POSITIVE:
        rows.append({"text": fill(text), "pii": bool(kinds), "kinds": kinds})
    for text in NEGATIVE:
        rows.append({"text": fill(text), "pii": False, "kinds": []})
    return rows


if __name__ == "__main__":
    path = Path(__file__).with_name("pii_snippets.json")
    rows = build()
    path.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n", encoding="utf-8")
    print(len(rows), "snippets,", sum(r["pii"] for r in rows), "with personal data")
