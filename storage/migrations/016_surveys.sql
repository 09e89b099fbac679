-- Surveys (설문): questions answered in chat, once per invited member. An invitation ties a
-- member to their response while they answer; for an anonymous survey the tie is cut when
-- they finish, so a finished anonymous response names no one.

-- A notice may carry one button, rendered once with its text (a survey's "answer" button).
ALTER TABLE notices ADD COLUMN button_label TEXT;
ALTER TABLE notices ADD COLUMN button_action TEXT;

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    created_by_person_id INTEGER REFERENCES people(id),
    title TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 1 CHECK (anonymous IN (0, 1)),
    audience TEXT NOT NULL DEFAULT 'all'
        CHECK (audience IN ('all', 'coordinators', 'event', 'active', 'inactive')),
    audience_event_id INTEGER REFERENCES events(id),
    audience_days INTEGER,
    opens_at TEXT,
    closes_at TEXT,
    remind_at TEXT,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'scheduled', 'open', 'closed')),
    notice_id INTEGER REFERENCES notices(id),
    template TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    closed_at TEXT
);
CREATE INDEX surveys_community ON surveys(community_id, id);
CREATE INDEX surveys_due ON surveys(status, opens_at);

CREATE TABLE survey_questions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('scale', 'choice', 'multi', 'text')),
    text TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    optional INTEGER NOT NULL DEFAULT 0 CHECK (optional IN (0, 1)),
    key TEXT,
    UNIQUE (survey_id, position)
);

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    picks_question_id INTEGER,
    picks TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX survey_responses_survey ON survey_responses(survey_id);

CREATE TABLE survey_invites (
    survey_id INTEGER NOT NULL REFERENCES surveys(id),
    membership_id INTEGER NOT NULL REFERENCES memberships(id),
    state TEXT NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'started', 'finished')),
    response_id INTEGER REFERENCES survey_responses(id),
    reminded_at TEXT,
    invited_at TEXT NOT NULL,
    PRIMARY KEY (survey_id, membership_id)
);
CREATE INDEX survey_invites_member ON survey_invites(membership_id, state);

CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses(id),
    question_id INTEGER NOT NULL REFERENCES survey_questions(id),
    value INTEGER,
    choices TEXT,
    text TEXT,
    skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX survey_answers_question ON survey_answers(question_id);
