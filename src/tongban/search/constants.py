"""Tables of the search app: limits, field weights, the words people wrap a query in, the
starter synonyms editors extend, and the pinyin syllables. Tuned on evaluation/queries.json."""

from __future__ import annotations


def _words(value: str) -> frozenset[str]:
    return frozenset(value.split())


MAX_QUERY_CHARS = 100  # a longer query is cut here (a sentence, not a document)
MAX_TERMS = 16  # terms scored per query; the rest only help find candidates
CANDIDATES = 100  # rows a backend ranks per query (found by the engine's own cheap rank)
RERANK_TOP = 40  # of which the best get the costly similarity component

# Field weights, as PostgreSQL's ts_rank_cd takes them: {D, C, B, A}.
# A = title, B = keywords (how people say it), C = guide text (conditions, materials …).
WEIGHT_A, WEIGHT_B, WEIGHT_C, WEIGHT_D = 1.0, 0.7, 0.12, 0.05
FIELD_WEIGHTS = (WEIGHT_D, WEIGHT_C, WEIGHT_B, WEIGHT_A)

# Score components (see scoring.py; backends/postgres.py computes the same in SQL).
PHRASE_IN_TITLE = 2.0  # the whole cleaned query appears in the title
PHRASE_IN_KEYWORDS = 1.5  # … or in one of the keywords
PHRASE_IS_KEYWORD = 1.0  # … and is that whole keyword (on top of PHRASE_IN_KEYWORDS)
SIMILARITY_WEIGHT = 1.5  # fuzzy similarity of query and title (typos)
FUZZY_MIN_SIMILARITY = 0.3  # a document no term matched must be at least this similar
POPULARITY_WEIGHT = 0.5  # popularity p adds POPULARITY_WEIGHT * p / (p + POPULARITY_HALF)
POPULARITY_HALF = 100.0
REGION_WEIGHT = 0.6  # document of the searcher's region (outweighs any popularity)

# Term weights by kind of lexeme.
WORD_WEIGHT = {1: 0.4, 2: 1.0}  # by length in characters; longer words weigh LONG_WORD_WEIGHT
LONG_WORD_WEIGHT = 1.3
SYNONYM_WEIGHT = 1.0
PINYIN_PAIR_WEIGHT = 0.35  # a pair of syllables of a Chinese query (homophones, typos)
PINYIN_QUERY_PAIR_WEIGHT = 1.0  # a pair of syllables of a query typed in pinyin
INITIALS_WEIGHT = 1.5  # a query typed as initials ("spjyxk"), matched as a prefix

# Phrases around the need ("开饭店要办什么证" → "开饭店"), removed longest first.
FILLERS = (
    "需要准备什么材料", "需要准备哪些材料", "需要提供什么材料", "需要什么材料", "需要哪些材料", "要什么材料",
    "要哪些材料", "要带什么", "需要带什么", "需要什么手续", "需要哪些手续", "要什么手续", "要办哪些手续",
    "要办什么手续", "需要办什么证", "要办什么证", "要办哪些证", "需要什么证", "要什么证", "要办什么", "要办啥",
    "办什么证", "办啥证", "需要什么", "在哪里办理", "在哪里办", "在哪儿办", "在哪办", "去哪里办", "去哪儿办",
    "去哪办", "哪里办", "怎么办理", "如何办理", "怎样办理", "怎么申请", "如何申请", "怎么弄", "怎么搞", "怎么样",
    "怎么", "如何", "怎样", "我想", "我要", "想要", "请问", "一下", "啥", "什么", "哪些",
)
# Words that say nothing about which service is meant.
STOPWORDS = _words("""
办 办理 要 想 我 的 了 吗 呢 啊 吧 呀 么 个 一个 一家 能 可以 需要 在 去 给 是 有 还 都 就 也 和 与 及 或
怎么 什么 哪 哪些 哪里 多少 咋 该 应该 申请 手续 流程 材料 这 那 到 得 着 过 嘛 啦
""")

# Starter synonyms (editors add more in the Synonym table). A mutual group: any member finds
# the others. A one-way rule: the colloquial term also searches the official words.
STARTER_GROUPS = (
    ("饭店", "餐馆", "餐厅", "饭馆", "餐饮"),
    ("身份证", "居民身份证"),
    ("营业执照", "执照"),
    ("社保", "社会保险"),
    ("社保卡", "社会保障卡"),
    ("医保", "医疗保险", "医疗保障"),
    ("公积金", "住房公积金"),
    ("驾照", "驾驶证"),
    ("户口", "户籍"),
    ("房产证", "房本", "不动产权证书"),
    ("丢了", "丢失", "遗失", "掉了"),
    ("补办", "补领", "补发"),
    ("到期", "过期", "期满"),
    ("去世", "过世", "死亡", "身故"),
    ("孩子", "小孩", "子女", "儿童"),
    ("宝宝", "新生儿", "婴儿"),
    ("老婆", "老公", "配偶", "夫妻"),
    ("公司", "企业"),
    ("退伍", "退役"),
)
STARTER_RULES = {
    "开饭店": ("食品经营", "餐饮"),
    "开餐馆": ("食品经营", "餐饮"),
    "饭店": ("食品经营",),
    "餐馆": ("食品经营",),
    "生孩子": ("生育", "出生"),
    "结婚": ("婚姻登记",),
    "退休": ("养老",),
    "改名": ("变更",),
    "搬家": ("变更",),
    "关门": ("注销",),
    "不干了": ("注销",),
    "残疾证": ("残疾人证",),
    "低保": ("最低生活保障",),
    "上户口": ("出生登记", "入户"),
    "落户": ("户口迁入",),
}

# Tone-less pinyin syllables (from pypinyin's dictionary; interjections m, n, ng, hm, hng left
# out so that initials such as "mn" are not mistaken for syllables).
PINYIN_SYLLABLES = _words("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen
ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong
cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui
dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua
guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji
jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua
kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou
lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan
nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang
pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que
qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan
shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun
suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng
wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you
yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou
zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
""")
