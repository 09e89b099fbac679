"""The particle after a word is chosen by its last sound (conversation/josa.py), and the Korean
translator applies it to every message that writes both forms."""

from __future__ import annotations

import pytest

from conversation.i18n import Translator
from conversation.josa import attach, has_final


@pytest.mark.parametrize(("text", "expected"), [
    ("7,900문은(는)", "7,900문은"),
    ("가게은(는)", "가게는"),
    ("마포 떡집이(가)", "마포 떡집이"),
    ("동네 카페이(가)", "동네 카페가"),
    ("<b>동네 카페</b>을(를)", "<b>동네 카페</b>를"),
    ("11,900원은(는) 현금", "11,900원은 현금"),
    ("GS25은(는)", "GS25는"),  # 오
    ("1,000은(는)", "1,000은"),  # 천
    ("20이(가)", "20이"),  # 십
    ("2이(가)", "2가"),  # 이
    ("0은(는)", "0은"),  # 영
    ("Cafe은(는)", "Cafe은(는)"),  # cannot be told: both forms stay
    ("“2026-13-40”은(는)", "“2026-13-40”은(는)"),
    ("나누미과(와) 문과(와)", "나누미와 문과"),
    ("5,000문이에요(예요).", "5,000문이에요."),  # the copula
    ("700포인트이에요(예요).", "700포인트예요."),
    ("700포인트이었(였)고, 5,000문이었(였)고", "700포인트였고, 5,000문이었고"),
    ("Cafe이에요(예요)", "Cafe이에요(예요)"),
    ("문(으)로 받아요", "문으로 받아요"),
    ("나누미(으)로", "나누미로"),
    ("<b>서울</b>(으)로", "<b>서울</b>로"),  # ㄹ takes 로
    ("1(으)로 7(으)로 10(으)로 6(으)로", "1로 7로 10으로 6으로"),  # 일 칠 십 육
    ("Cafe(으)로", "Cafe(으)로"),
])
def test_the_particle_follows_the_last_sound(text, expected):
    assert attach(text) == expected


def test_has_final_reads_hangul_and_numbers():
    assert has_final("문") is True and has_final("카페") is False
    assert has_final("10000") is True and has_final("19") is False and has_final("") is None


def test_the_korean_translator_picks_the_particle_and_english_is_untouched():
    ko, en = Translator("ko"), Translator("en")
    split = ko("Of {bill}, {currency} in 품앗이 and {cash} in cash", bill="19,800원",
               currency="7,900나누미", cash="11,900원")
    assert split == "19,800원 중 7,900나누미는 품앗이로, 11,900원은 현금으로"
    assert ko("❌ Shop {number} {shop} was not approved.", number=1, shop="동네 카페") == (
        "❌ 가게 1번 동네 카페는 승인하지 않았어요.")
    assert en("❌ Shop {number} {shop} was not approved.", number=1, shop="동네 카페") == (
        "❌ Shop 1 동네 카페 was not approved.")


def test_what_a_shop_takes_reads_right_whatever_the_unit():
    ko = Translator("ko")
    for unit, said in (("문", "문으로"), ("나누미", "나누미로"), ("두루", "두루로")):
        assert ko("takes up to {share}% of a bill in {unit}", share=40, unit=unit) == (
            f"계산 금액의 최대 40%를 {said} 받아요")
