-- Counter expiring_certifications: certification assignments on the organization's
-- products that expire between the report date and 60 days after it, both included
-- (the rows are predicates/expiring_assignments).
-- with: predicates/expiring_assignments
-- Binds: :organization_id, :as_of, :expiry_horizon (the report date plus 60 days).
SELECT count(*) AS expiring_certifications
FROM expiring_assignments
