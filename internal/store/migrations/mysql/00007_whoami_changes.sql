-- The whoami cache's change counters on MariaDB (internal/session/whoamicache),
-- which has neither notifications nor a log it can poll safely: every write
-- that can change a whoami answer (a session revoked, deleted, extended or
-- stepped up, an identity's traits, addresses or credentials changed, an
-- identity deleted) adds one, in its own transaction, to the counter of the
-- identity's bucket, CRC32(identity_id) % 4096. An instance keeps an answer
-- with the counter read in the same statement as the session (one
-- snapshot), and serves it again only while the counter still reads the
-- same: one primary-key read instead of the joined session query.
-- Buckets rather than one row: a change empties only its bucket's answers
-- on every instance, and concurrent writers seldom wait on the same row.
-- The rows exist from the start, so a bump is a plain UPDATE of one row
-- (no insert, no gap lock).
-- +goose Up
CREATE TABLE whoami_changes (
    bucket INT NOT NULL PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO whoami_changes (bucket, n)
SELECT a.d * 256 + b.d * 16 + c.d, 0
FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15) a,
(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15) b,
(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15) c;
-- +goose Down
DROP TABLE whoami_changes;
