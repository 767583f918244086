-- Whether this server is a hot standby, and how many seconds the last transaction it
-- replayed committed before now (null on a primary, or before any replay).
-- Binds: none.
SELECT
    pg_is_in_recovery() AS in_recovery,
    CASE
        WHEN pg_is_in_recovery()
            THEN extract(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END AS lag_seconds
