-- +goose Up

-- Ids of the Discord interactions and signatures of the Slack requests
-- ("slack:v0=...") already answered, shared by every replica so that a
-- replayed signed request is refused wherever it lands.
-- seen_at is Unix milliseconds; rows older than the signature window are
-- deleted as new ones arrive.
CREATE TABLE seen_interactions (
    id      TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
CREATE INDEX seen_interactions_seen_at_idx ON seen_interactions (seen_at);

-- +goose Down
DROP TABLE seen_interactions;
