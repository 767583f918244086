-- Counter missing_images: the organization's products without any product image
-- (the rows are predicates/imageless_products).
-- with: predicates/imageless_products
-- Binds: :organization_id.
SELECT count(*) AS missing_images
FROM imageless_products
