-- The API key row a presented key proves, if it is usable now: active and not expired.
-- user_is_active is null when the key has no user.
-- Binds: :key_hash (SHA-256 of the whole key, lowercase hex), :now.
SELECT
    k.prefix,
    k.user_id,
    k.organization_id,
    u.is_active AS user_is_active
FROM accounts_apikey AS k
LEFT JOIN accounts_user AS u ON u.id = k.user_id
WHERE k.key_hash = :key_hash
    AND k.is_active
    AND (k.expires_at IS NULL OR k.expires_at > :now)
