"""Duplicate detection on crafted pairs (beyond peers): paraphrases linked, look-alikes apart."""

from .conftest import post

DUPS = [
 ("沙河口区西南路一家烧烤店每天晚上油烟特别大，窗户都不敢开", "西南路那个烧烤店油烟太呛了，晚上根本没法开窗"),
 ("甘井子区华北路的工地半夜还在施工，吵得睡不着", "华北路工地夜里施工噪音太大，凌晨一点还在干"),
 ("西岗区黄河路和新开路路口的红绿灯坏了", "新开路黄河路交叉口信号灯不亮了，车乱成一团"),
 ("中山区锦绣小区3号楼电梯又坏了，老人下不了楼", "锦绣小区3号楼的电梯停了两天了，没人修"),
 ("沙河口区春柳小区垃圾站好几天没清运，臭死了", "春柳小区的垃圾站满了，一直没人来拉"),
 ("西岗区八一路的路灯坏了一排，晚上很黑", "八一路路灯不亮，走夜路害怕"),
]
NOT = [
 ("沙河口区西南路一家烧烤店每天晚上油烟特别大，窗户都不敢开", "西岗区长春路一家烧烤店每天晚上油烟特别大，窗户都不敢开"),
 ("中山区锦绣小区3号楼电梯又坏了，老人下不了楼", "中山区锦绣小区5号楼电梯又坏了，老人下不了楼"),
 ("西岗区八一路的路灯坏了一排，晚上很黑", "西岗区八一路的井盖丢了，晚上很危险"),
 ("甘井子区华北路的工地半夜还在施工，吵得睡不着", "甘井子区红旗西路的工地半夜还在施工，吵得睡不着"),
 ("西岗区政务服务中心3号窗口工作人员态度恶劣", "西岗区政务服务中心5号窗口工作人员态度恶劣"),
 ("沙河口区春柳小区垃圾站好几天没清运，臭死了", "沙河口区兴工小区垃圾站好几天没清运，臭死了"),
 ("家里暖气不热，屋里才十五度", "家里暖气不热，屋里才十四度，冻死了"),
]

def _number(client, text):
    return post(client, "/api/hotline/tickets", {"text": text, "channel": "web", "phone": "13904110000",
                                                 "region": "210200"}).json()


def test_paraphrases_of_one_problem_at_one_place_are_linked(hotline):
    op = hotline.operator
    linked = [a for a, b in DUPS if _number(op, a)["number"] in _number(op, b)["duplicates"]]
    assert len(linked) == len(DUPS), {a for a, _ in DUPS} - set(linked)


def test_look_alikes_stay_apart(hotline):
    """Another district, street, estate, numbered building or window, another problem at the
    same place, or no place at all: never linked."""
    wrong = [b for a, b in NOT if _number(hotline.operator, a)["number"] in _number(hotline.operator, b)["duplicates"]]
    assert not wrong
