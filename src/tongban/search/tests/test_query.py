"""Query handling shared by both backends: normalisation, filler, synonyms, pinyin, and that
nothing a user types survives as engine syntax."""

from __future__ import annotations

import pytest

from tongban.search import text
from tongban.search.constants import MAX_QUERY_CHARS
from tongban.search.query import analyse, merge_synonyms, starter_synonyms, strip_fillers

HOSTILE = ["' OR 1=1 --", "%", "%%_", '"', '"营业执照', "*", "食品*", "NEAR(a b)", "NEAR(", "&|!:", "a & b | !c",
           "营业执照' OR '1'='1", "'; DROP TABLE search_searchdocument; --", "\\", "(((", ")", ":*", "^", "-",
           "title_terms:营业", "{}", "[a]", "\x00", "营业\x00执照"]


def lexemes(query):
    return [lex for term in query.terms for lex in term.lexemes]


def test_full_width_becomes_half_width_and_lower_case():
    assert text.normalise("ＳＣ证 ｓｐｊｙｘｋ １６岁") == "sc证 spjyxk 16岁"


def test_traditional_becomes_simplified():
    assert text.normalise("營業執照 開飯店要辦什麼證") == "营业执照 开饭店要办什么证"


def test_emoji_control_and_zero_width_characters_are_dropped():
    assert text.normalise("开饭店😀\u200b要办\u200d什么证\x07？？") == "开饭店 要办什么证"
    assert analyse("😀😭👍").is_empty


def test_long_query_is_cut():
    query = analyse("营业执照" * 2500)
    assert len(query.text) <= MAX_QUERY_CHARS
    assert not query.is_empty


@pytest.mark.parametrize(("raw", "need"), [
    ("开饭店要办什么证", "开饭店"), ("生孩子要办啥", "生孩子"), ("怎么办营业执照", "办营业执照"),
    ("身份证丢了怎么办", "身份证丢了"), ("结婚登记需要什么材料", "结婚登记"), ("我想开个小卖部", "开个小卖部"),
])
def test_filler_is_stripped(raw, need):
    assert strip_fillers(raw) == need


def test_filler_only_query_is_empty():
    assert analyse("怎么办").is_empty
    assert analyse("   ").is_empty
    assert analyse("").is_empty


@pytest.mark.parametrize("raw", HOSTILE)
def test_syntax_never_reaches_an_engine(raw):
    for lex in lexemes(analyse(raw)):
        assert lex.isalnum(), lex


def test_initials_are_a_prefix_term():
    query = analyse("spjyxk")
    assert any(t.prefix and t.lexemes == ["spjyxk"] for t in query.terms)


def test_full_pinyin_becomes_syllable_pairs():
    assert {"shipin", "pinjing", "jingying"} <= set(lexemes(analyse("shipin jingying")))
    assert text.split_pinyin("shipinjingying") == ["shi", "pin", "jing", "ying"]
    assert text.split_pinyin("spjyxk") is None


def test_homophone_typo_sounds_like_the_right_word():
    assert "jingying" in lexemes(analyse("食品经荧许可"))


def test_starter_synonyms_expand_the_query():
    query = analyse("开饭店")
    assert ("食品", "经营") in {alt for term in query.terms for alt in term.alternatives}


def test_editor_synonyms_merge_with_the_starter_table():
    table = merge_synonyms(starter_synonyms(), [("小卖部", ["个体工商户"], True)])
    assert table["小卖部"] == ("个体工商户",)
    assert "小卖部" in table["个体工商户"]
