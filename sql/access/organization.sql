-- The organization a report is about.
-- Binds: :organization_id.
SELECT o.id, o.name
FROM organization_organization AS o
WHERE o.id = :organization_id
