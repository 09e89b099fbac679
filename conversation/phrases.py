"""The words of the utterance grammar: what people write for each action, in Korean and English.

Phrases are compared with spaces removed and case folded (`잔액 알려줘` → `잔액알려줘`), after
taking off the leading words in PREFIXES and the endings in TAILS, one at a time, so each
phrase here is written once in its shortest form.
"""

from __future__ import annotations

import re

# Whole-utterance phrases, one set per intent. The sets are disjoint.
PHRASES: dict[str, frozenset[str]] = {
    "confirm": frozenset({
        "네", "넵", "넹", "네네", "예", "응", "어", "그래", "좋아", "확인", "보내", "보내기",
        "수락", "수락하고보내기",  # the labels of a charge's Accept button, typed
        "맞아", "오케이", "오키", "진행", "그렇게", "알겠어", "알겠습니다", "예스", "ㅇㅇ", "ok",
        "okay", "yes", "y", "yep", "confirm", "send", "sure",
    }),
    "cancel": frozenset({
        "취소", "그만", "안할래", "안해", "안할게", "됐어", "아니", "아니요", "아니오", "아뇨",
        "거절",
        "싫어", "멈춰", "나가기", "나가", "중지", "ㄴㄴ", "no", "n", "nope", "cancel", "stop",
        "quit", "exit",
    }),
    "help": frozenset({
        "도움말", "도움", "도와", "사용법", "설명", "메뉴", "뭐해", "뭐할수있어", "어떻게해",
        "어떻게써", "어떻게", "어떻게사용해", "모르겠어", "기능", "헬프", "?", "help", "menu",
        "commands",
    }),
    "greeting": frozenset({
        "안녕", "안녕하세요", "안녕하십니까", "반가워", "반갑습니다", "하이", "헬로", "여보세요",
        "좋은아침", "고마워", "고맙습니다", "감사", "감사합니다", "수고하세요", "수고하셨습니다",
        "hi", "hello", "hey", "thanks", "thankyou", "goodmorning",
    }),
    "balance": frozenset({
        "잔액", "잔고", "돈", "남은돈", "남은금액", "얼마", "얼마남았", "얼마있", "돈얼마",
        "돈얼마있", "돈있", "포인트", "통장", "balance", "money", "howmuch", "howmuchleft",
        "howmuchdoihave",
    }),
    "history": frozenset({
        "내역", "거래내역", "거래기록", "사용내역", "이용내역", "입출금내역", "통장내역", "기록",
        "거래", "거래목록", "명세", "history", "statement", "transactions",
    }),
    "sessions": frozenset({
        "학당", "품앗이학당", "일정", "신청", "학당신청", "모임신청", "모임", "행사",
        "교육", "강좌", "수업", "스케줄",
        "학당일정", "모임일정", "행사일정", "학당목록", "sessions", "session", "events", "event",
        "schedule", "meetings", "classes",
    }),
    "market": frozenset({
        "장터", "시장", "마켓", "장보기", "품앗이장터", "market",
    }),
}

# Leading words that change nothing: 내 잔액, 지금 잔액, 이번 주 일정, show my balance.
PREFIXES = ("나의", "저의", "내", "제", "우리", "지금", "현재", "오늘", "내일", "최근",
            "이번달", "이번주", "다음주", "이번", "다음", "show", "check", "see", "view",
            "whats", "what's", "what", "is", "my", "me", "the")
# Endings of requests and politeness: 알려줘, 보여 주세요, 해요, 할래요, 이에요, 얼마야.
TAILS = tuple(sorted((
    "주세요", "주실래요", "주시겠어요", "줄래요", "줄래", "줘요", "줘", "주라", "주기",
    "해요", "해", "하기", "할래요", "할래", "할게요", "할게", "하자", "하고싶어요", "하고싶어",
    "싶어요", "싶어", "합니다", "알려", "보여", "확인", "조회", "보기", "봐요", "봐", "볼래요",
    "볼래", "볼게", "보자", "요", "어요", "어", "야", "예요", "에요", "이에요", "인가요", "이야",
    "니", "나요", "지", "죠", "얼마", "이", "가", "은", "는", "을", "를", "좀", "please", "pls",
), key=len, reverse=True))

# Words dropped wherever they are: 좀, 제발; interjections that start a sentence.
FILLERS = frozenset({"좀", "제발", "저기요", "저기", "음", "please", "pls", "plz"})
INTERJECTIONS = frozenset({"네", "예", "응", "아", "저", "그럼", "그러면", "그리고", "어"})
# Words that say "money" without saying how much; not a memo.
GENERIC_MONEY = frozenset({"돈", "포인트", "화폐", "품앗이", "문", "원", "money"})

_ENDING = (r"(?:주세요|주실래요|주시겠어요|줄래요|줄래|줘요|줘|주라|주기|주고|해주세요|해줘요|해줘|"
           r"합니다|습니다|할게요|할게|할래요|할래|해요|해|하기|하고|하자|고싶어요|고싶어|고요|고|"
           r"려고요|려고|게요|게|래요|래|세요|께요|께|어요|아요|어|아|요|기|자|면|라)")
_PAY_STEM = r"(?:보내|보낼|보냄|송금|이체|입금|지불|결제|갚아|갚을|갚)"
_CHARGE_STEM = r"(?:요청|청구|받을|받아|받고|받기|받|달라|달래)"
_HELPER = r"(?:드려|드릴|드리)?"
PAY_VERB = re.compile(
    rf"^(?:{_PAY_STEM}{_HELPER}{_ENDING}?{_ENDING}?|줘요?|주(?:세요|기|라|실래요|시겠어요)"
    rf"|줄(?:래|래요|게|게요)|드려(?:요)?|드릴(?:게|게요))$"
)
CHARGE_VERB = re.compile(rf"^{_CHARGE_STEM}{_ENDING}?{_ENDING}?{_ENDING}?$")
PAY_EN = frozenset({"pay", "send", "give", "transfer"})
CHARGE_EN = frozenset({"charge", "request", "bill", "invoice"})

MARKET_WORDS = ("품앗이장터", "장터", "시장", "마켓", "장보기", "market", "search", "find")
# A last word that asks whether someone has or sells something: 떡 있어요? 반찬 파는 분.
MARKET_ASK = re.compile(r"^(?:있어|있나|있니|있을까|있습니까|팔아|파나|파시|파는|구해|"
                        r"구합니다|찾아|찾습니다|찾고)")
MARKET_ASK_FILLERS = frozenset({"파는", "파시는", "분", "사람", "분이", "사람이", "누가", "혹시",
                                "계세요", "계신가요"})
MARKET_VERB = re.compile(r"^(?:찾아|찾기|찾|검색|보여|보기|볼래)")

SESSION_WORDS = r"(?:학당|모임|일정|행사|교육|수업)"
SIGNUP_WORDS = r"(?:신청|참가|참여|예약)"
SIGNUP = (
    re.compile(rf"^{SESSION_WORDS}?(\d{{1,4}})번?{SESSION_WORDS}?(?:에|을|를)?{SIGNUP_WORDS}$"),
    re.compile(rf"^{SESSION_WORDS}?{SIGNUP_WORDS}(\d{{1,4}})번?$"),
    re.compile(r"^(?:signup|signmeup|register|book)(?:for)?#?(\d{1,4})$"),
)
CANCEL_NUMBER = re.compile(rf"^(\d{{1,4}})번?{SESSION_WORDS}?(?:신청)?취소$")

# The commonest one-syllable family names (over nine in ten Koreans carry one of these).
SURNAMES = frozenset("김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우"
                     "구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모"
                     "탁국어은편용예경봉")

# Evidence for the three suggestions offered when nothing was understood.
HINTS: dict[str, tuple[str, ...]] = {
    "balance": ("잔", "돈", "얼마", "남", "balance", "money"),
    "history": ("내역", "기록", "거래", "history", "statement"),
    "market": ("장터", "시장", "팔", "사고", "구해", "드려요", "떡", "반찬", "김치", "market"),
    "sessions": ("학당", "일정", "모임", "신청", "교육", "행사", "session", "event"),
    "help": ("?", "어떻게", "뭐", "help", "모르"),
}
SUGGESTION_ORDER = ("balance", "market", "help", "pay", "charge", "history", "sessions")
