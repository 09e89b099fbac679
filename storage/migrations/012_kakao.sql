-- KakaoTalk plumbing. A skill call carries no message id, so every button the bot shows on
-- Kakao carries a single-use token in its `extra`: the token names the action, the Kakao
-- user it was shown to, and when it stops working. The tap's effect is recorded once through
-- processed_updates (update key `kakao:token:<token>`, in the effect's own transaction);
-- used_at notes it here too.
CREATE TABLE kakao_tokens (
    token TEXT PRIMARY KEY,
    user_key TEXT NOT NULL,        -- userRequest.user.id (botUserKey) it was shown to
    action TEXT NOT NULL,          -- the conversation's action id, or kakao:more / kakao:news
    more TEXT,                     -- kakao:more: the choices behind it, JSON [[label, action]]
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX kakao_tokens_user_action ON kakao_tokens(user_key, action);
CREATE INDEX kakao_tokens_expiry ON kakao_tokens(expires_at);

-- Messages for a Kakao user that could not be pushed (no Event API): shown at the top of
-- their next reply ("새 소식 2건") and marked shown in the same request.
CREATE TABLE kakao_news (
    id INTEGER PRIMARY KEY,
    user_key TEXT NOT NULL,
    text TEXT NOT NULL,            -- plain text
    buttons TEXT NOT NULL DEFAULT '[]',  -- JSON [[label, action]]
    created_at TEXT NOT NULL,
    shown_at TEXT
);
CREATE INDEX kakao_news_waiting ON kakao_news(user_key, shown_at, id);
