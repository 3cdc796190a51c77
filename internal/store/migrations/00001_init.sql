-- +goose Up

-- Questions the bot declined: what the knowledge base is missing.
-- question is normalised and masked (no emails, phone numbers or URLs);
-- user_hash is a salted HMAC of platform and user id, '' when there is none;
-- topic_id/topic_title/confidence are the best candidate topic, '' when none.
CREATE TABLE declined (
    id           TEXT PRIMARY KEY,
    created_at   BIGINT NOT NULL,
    question     TEXT NOT NULL,
    platform     TEXT NOT NULL,
    user_hash    TEXT NOT NULL,
    channel_kind TEXT NOT NULL,
    topic_id     TEXT NOT NULL,
    topic_title  TEXT NOT NULL,
    confidence   DOUBLE PRECISION NOT NULL
);
CREATE INDEX declined_created_at_idx ON declined (created_at);

-- 👍 (helpful = 1) and 👎 (helpful = 0) clicks on answers.
CREATE TABLE feedback (
    id         TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    topic_id   TEXT NOT NULL,
    platform   TEXT NOT NULL,
    user_hash  TEXT NOT NULL,
    helpful    SMALLINT NOT NULL CHECK (helpful IN (0, 1))
);
CREATE INDEX feedback_created_at_idx ON feedback (created_at);

-- Settings shared by every replica, such as the salt for user hashes.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE feedback;
DROP TABLE declined;
