-- The organizations a user key may read: its user's active memberships, any role.
-- Binds: :user_id.
SELECT
    o.id,
    o.name,
    m.role
FROM organization_membership AS m
INNER JOIN organization_organization AS o ON o.id = m.organization_id
WHERE m.user_id = :user_id
    AND m.is_active
ORDER BY o.name, o.id
