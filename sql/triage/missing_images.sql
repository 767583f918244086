-- Rows of the missing-images list: the products counted by counter missing_images,
-- by GTIN (unique, so the order is total; the id only makes that explicit).
-- with: predicates/imageless_products
-- Binds: :organization_id, :limit, :offset.
SELECT
    imageless_products.id,
    imageless_products.gtin,
    imageless_products.product_name
FROM imageless_products
ORDER BY imageless_products.gtin, imageless_products.id
LIMIT :limit OFFSET :offset
