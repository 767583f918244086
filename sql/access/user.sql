-- The user a user key belongs to, as closient whoami names it.
-- Binds: :user_id.
SELECT u.email
FROM accounts_user AS u
WHERE u.id = :user_id
