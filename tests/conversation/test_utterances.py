import pytest

from conversation.utterances import INTENTS, Intent, parse_utterance


def pay(member=None, amount=None, memo=None):
    return Intent("pay", member=member, amount=amount, memo=memo)


def charge(member=None, amount=None, memo=None):
    return Intent("charge", member=member, amount=amount, memo=memo)


def market(words=None):
    return Intent("market", words=words)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # balance
        ("잔액", Intent("balance")),
        ("잔액?", Intent("balance")),
        ("내 잔액", Intent("balance")),
        ("내잔액", Intent("balance")),
        ("잔액 알려줘", Intent("balance")),
        ("잔액 좀 알려 주세요", Intent("balance")),
        ("잔액좀", Intent("balance")),
        ("잔액요", Intent("balance")),
        ("잔액 확인", Intent("balance")),
        ("잔액 확인해 주세요", Intent("balance")),
        ("잔고 조회", Intent("balance")),
        ("얼마 남았어", Intent("balance")),
        ("얼마 남았어요?", Intent("balance")),
        ("잔액이 얼마예요?", Intent("balance")),
        ("남은 돈", Intent("balance")),
        ("내 돈 얼마 있어", Intent("balance")),
        ("통장 보여줘", Intent("balance")),
        ("balance", Intent("balance")),
        ("Balance", Intent("balance")),
        ("my balance", Intent("balance")),
        ("show my balance", Intent("balance")),
        ("what's my balance?", Intent("balance")),
        # history
        ("내역", Intent("history")),
        ("거래 내역", Intent("history")),
        ("거래내역", Intent("history")),
        ("거래내역 보여줘", Intent("history")),
        ("거래내역이요", Intent("history")),
        ("내 거래 내역 보여 주세요", Intent("history")),
        ("거래 기록", Intent("history")),
        ("사용 내역 알려주세요", Intent("history")),
        ("history", Intent("history")),
        ("statement", Intent("history")),
        ("transactions", Intent("history")),
        # pay
        ("김영희한테 5천원 보내줘", pay("김영희", "5천원")),
        ("김영희에게 만원 보내기", pay("김영희", "만원")),
        ("김영희한테5천원보내줘", pay("김영희", "5천원")),
        ("김영희 님한테 오천원 보내 주세요", pay("김영희", "오천원")),
        ("김영희 한테 5천원 보내", pay("김영희", "5천원")),
        ("김영희님께 삼만 오천 원 송금해줘", pay("김영희", "삼만 오천 원")),
        ("김영희씨한테 5천원 보내요", pay("김영희", "5천원")),
        ("영희씨 5천원 보내줘", pay("영희", "5천원")),
        ("영희 오천원 보내", pay("영희", "오천원")),
        ("김영희한테 만원 줘", pay("김영희", "만원")),
        ("김영희한테 만원 드려", pay("김영희", "만원")),
        ("김영희한테 만원 송금", pay("김영희", "만원")),
        ("김영희한테 만원 이체해 주세요", pay("김영희", "만원")),
        ("김영희한테 1만 5천원 보내줘", pay("김영희", "1만 5천원")),
        ("김영희한테 김치값 5천원 보내줘", pay("김영희", "5천원", "김치값")),
        ("김영희한테 5천원 보내줘 김치값", pay("김영희", "5천원", "김치값")),
        ("김영희한테 5천원 일 도와준 값 보내줘", pay("김영희", "5천원", "일 도와준 값")),
        ("김영희한테 5000 3 apples 보내줘", pay("김영희", "5000", "3 apples")),
        ("김영희한테 5천 원 김치 보내줘", pay("김영희", "5천 원", "김치")),
        ("김영희한테 일 원 보내", pay("김영희", "일 원")),
        ("김영희한테 일 해준 값 보내줘", pay("김영희", None, "일 해준 값")),
        ("김영희한테 오이 값 보내", pay("김영희", None, "오이 값")),
        ("김영희한테 돈 보내줘", pay("김영희")),
        ("김영희한테 보내줘", pay("김영희")),
        ("#23에게 5,000원 보내줘", pay("#23", "5,000원")),
        ("@minji한테 5000 보내줘", pay("@minji", "5000")),
        ("3번한테 5천원 보내", pay("3번", "5천원")),
        ("#3한테 5000 보내", pay("#3", "5000")),
        ("네 김영희한테 5천원 보내줘", pay("김영희", "5천원")),
        ("5천원 보내줘", pay(None, "5천원")),
        ("5천원 송금", pay(None, "5천원")),
        ("송금", pay()),
        ("송금하고 싶어요", pay()),
        ("pay Kim 5000", pay("Kim", "5000")),
        ("pay kim 5000 apples", pay("kim", "5000", "apples")),
        ("pay #3 5000", pay("#3", "5000")),
        ("send 5000 to Kim", pay("Kim", "5000")),
        ("send kim 5000", pay("kim", "5000")),
        ("give kim 5,000", pay("kim", "5,000")),
        # charge
        ("이철수한테 3천원 요청", charge("이철수", "3천원")),
        ("이철수한테 3천원 요청해줘", charge("이철수", "3천원")),
        ("이철수한테서 3천원 받을래", charge("이철수", "3천원")),
        ("이철수한테 만원 달라고 해줘", charge("이철수", "만원")),
        ("이철수한테 떡값 3천원 달래", charge("이철수", "3천원", "떡값")),
        ("이철수한테 5천원 받아 줘", charge("이철수", "5천원")),
        ("박민지한테 5천원 받을래요", charge("박민지", "5천원")),
        ("박민지한테 5천원 청구", charge("박민지", "5천원")),
        ("박민지에게 5천원 요청할게요", charge("박민지", "5천원")),
        ("만원 요청", charge(None, "만원")),
        ("요청", charge()),
        ("charge Lee 3000 for lessons", charge("Lee", "3000", "lessons")),
        ("charge lee 5000", charge("lee", "5000")),
        ("request 3000 from lee", charge("lee", "3000")),
        ("bill lee 2000 for soup", charge("lee", "2000", "soup")),
        # market
        ("장터", market()),
        ("장터 보여줘", market()),
        ("market", market()),
        ("장터 떡", market("떡")),
        ("장터떡", market("떡")),
        ("장터에서 반찬", market("반찬")),
        ("장터에서 떡 찾아줘", market("떡")),
        ("떡 장터", market("떡")),
        ("떡 있어요?", market("떡")),
        ("반찬 파는 분 있어요", market("반찬")),
        ("market rice cake", market("rice cake")),
        # sessions and sign-up
        ("학당", Intent("sessions")),
        ("일정", Intent("sessions")),
        ("학당 일정 알려줘", Intent("sessions")),
        ("이번 주 일정", Intent("sessions")),
        ("모임 일정 알려 주세요", Intent("sessions")),
        ("학당 신청", Intent("sessions")),
        ("sessions", Intent("sessions")),
        ("events", Intent("sessions")),
        ("신청 2", Intent("signup", number=2)),
        ("신청2", Intent("signup", number=2)),
        ("신청 2번", Intent("signup", number=2)),
        ("2신청", Intent("signup", number=2)),
        ("2번 신청할게요", Intent("signup", number=2)),
        ("학당 2번 신청해 주세요", Intent("signup", number=2)),
        ("sign up 2", Intent("signup", number=2)),
        ("signup 3", Intent("signup", number=3)),
        ("sign up for 4", Intent("signup", number=4)),
        ("2번 취소", Intent("cancel", number=2)),
        # help, cancel, confirm, greeting
        ("도움말", Intent("help")),
        ("도움", Intent("help")),
        ("도와주세요", Intent("help")),
        ("어떻게 해요?", Intent("help")),
        ("?", Intent("help")),
        ("help", Intent("help")),
        ("menu", Intent("help")),
        ("취소", Intent("cancel")),
        ("취소할래요", Intent("cancel")),
        ("취소해 주세요", Intent("cancel")),
        ("그만", Intent("cancel")),
        ("됐어요", Intent("cancel")),
        ("아니요", Intent("cancel")),
        ("아니 취소", Intent("cancel")),
        ("cancel", Intent("cancel")),
        ("no", Intent("cancel")),
        ("네", Intent("confirm")),
        ("네!", Intent("confirm")),
        ("예", Intent("confirm")),
        ("응", Intent("confirm")),
        ("좋아요", Intent("confirm")),
        ("확인", Intent("confirm")),
        ("보내", Intent("confirm")),
        ("보내기", Intent("confirm")),
        ("보내줘", Intent("confirm")),
        ("네 보내주세요", Intent("confirm")),
        ("수락", Intent("confirm")),
        ("수락하고 보내기", Intent("confirm")),
        ("수락할게요", Intent("confirm")),
        ("거절", Intent("cancel")),
        ("거절할게요", Intent("cancel")),
        ("ok", Intent("confirm")),
        ("yes", Intent("confirm")),
        ("안녕하세요", Intent("greeting")),
        ("안녕", Intent("greeting")),
        ("반가워요", Intent("greeting")),
        ("감사합니다", Intent("greeting")),
        ("hello", Intent("greeting")),
        ("thanks", Intent("greeting")),
    ],
)
def test_understood(text, expected):
    assert parse_utterance(text) == expected


def test_the_community_unit_is_part_of_the_amount():
    assert parse_utterance("김영희한테 7 타임 보내줘", unit="타임") == pay("김영희", "7 타임")


@pytest.mark.parametrize(
    ("text", "suggestions"),
    [
        ("", ("balance", "market", "help")),
        ("ㅎㅎ", ("balance", "market", "help")),
        ("날씨 어때", ("balance", "market", "help")),
        ("오이", ("balance", "market", "help")),           # a word, not an amount
        ("일 좀 해줘", ("balance", "market", "help")),
        ("123abc", ("balance", "market", "help")),
        ("5000", ("pay", "charge", "balance")),              # an amount: pay or charge
        ("5천원", ("pay", "charge", "balance")),
        ("김영희 5천원", ("pay", "charge", "balance")),
        ("김영희한테", ("pay", "charge", "balance")),        # a name with 한테
        ("김영희", ("pay", "balance", "market")),            # looks like a name
        ("김치전", ("market", "pay", "balance")),
        ("뭐라는거야", ("help", "balance", "market")),
        ("잔액이 이상해요", ("balance", "market", "help")),
        ("거래가 안 돼요", ("history", "balance", "market")),
        ("학당 언제 해요", ("sessions", "balance", "market")),
    ],
)
def test_not_understood_offers_three_likely_actions(text, suggestions):
    intent = parse_utterance(text)
    assert intent.name == "unknown"
    assert intent.suggestions == suggestions


@pytest.mark.parametrize(
    "text",
    ["잔액", "김영희한테 5천원 보내줘", "장터 떡", "신청 2", "아무말", "pay kim 5000", "네"],
)
def test_every_answer_is_a_known_intent_and_the_same_each_time(text):
    first = parse_utterance(text)
    assert first.name in INTENTS
    assert parse_utterance(text) == first
    if first.name == "unknown":
        assert len(set(first.suggestions)) == 3
