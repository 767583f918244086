-- The indexes that exist on closient's tables, with the statement that would recreate
-- each one; only valid indexes count (a failed CREATE INDEX CONCURRENTLY leaves an
-- invalid one behind).
-- Binds: none.
SELECT
    c.relname AS table_name,
    i.relname AS index_name,
    pg_get_indexdef(x.indexrelid) AS definition
FROM pg_index AS x
JOIN pg_class AS c ON c.oid = x.indrelid
JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
    AND x.indisvalid
