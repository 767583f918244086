-- Whether a user holds an active membership of an organization, any role.
-- Binds: :user_id, :organization_id.
SELECT m.role
FROM organization_membership AS m
WHERE m.user_id = :user_id
    AND m.organization_id = :organization_id
    AND m.is_active
