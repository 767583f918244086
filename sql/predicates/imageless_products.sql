-- The rows behind counter missing_images: the organization's products with no row in
-- products_productimage (products_product.image_url does not count).
-- Included by counters/missing_images and triage/missing_images.
-- Binds: :organization_id.
SELECT
    p.id,
    p.gtin,
    p.product_name
FROM products_product AS p
WHERE p.owner_id = :organization_id
    AND NOT EXISTS (
        SELECT 1
        FROM products_productimage AS i
        WHERE i.product_id = p.id
    )
