-- The rows behind counter expiring_certifications: certification assignments on the
-- organization's products that expire between the report date and 60 days after it,
-- both included.
-- Included by counters/expiring_certifications and triage/expiring_certifications.
-- Binds: :organization_id, :as_of, :expiry_horizon (the report date plus 60 days).
SELECT
    a.id,
    a.certification_id,
    a.expiry_date,
    p.id AS product_id,
    p.gtin,
    p.product_name
FROM certifications_certificationassignment AS a
JOIN products_product AS p ON p.id = a.product_id
WHERE p.owner_id = :organization_id
    AND a.expiry_date >= :as_of
    AND a.expiry_date <= :expiry_horizon
