-- Rows of the expiring-certifications list: the assignments counted by counter
-- expiring_certifications, soonest expiry first, then by assignment id.
-- with: predicates/expiring_assignments
-- Binds: :organization_id, :as_of, :expiry_horizon, :limit, :offset.
SELECT
    expiring_assignments.id,
    expiring_assignments.gtin,
    expiring_assignments.product_name,
    c.code,
    c.label,
    expiring_assignments.expiry_date
FROM expiring_assignments
JOIN certifications_certification AS c ON c.id = expiring_assignments.certification_id
ORDER BY expiring_assignments.expiry_date, expiring_assignments.id
LIMIT :limit OFFSET :offset
