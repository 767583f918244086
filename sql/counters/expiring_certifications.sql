-- Counter expiring_certifications: certification assignments on the organization's
-- products that expire between the report date and 60 days after it, both included.
-- Binds: :organization_id, :as_of, :expiry_horizon (the report date plus 60 days).
SELECT count(*) AS expiring_certifications
FROM certifications_certificationassignment AS a
JOIN products_product AS p ON p.id = a.product_id
WHERE p.owner_id = :organization_id
    AND a.expiry_date >= :as_of
    AND a.expiry_date <= :expiry_horizon
