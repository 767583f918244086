-- The indexes that exist on closient's tables, with the statement that created each.
-- Indexes SQLite makes for PRIMARY KEY and UNIQUE have no statement and are skipped.
-- Binds: none.
SELECT
    tbl_name AS table_name,
    name AS index_name,
    sql AS definition
FROM sqlite_master
WHERE type = 'index' AND sql IS NOT NULL
