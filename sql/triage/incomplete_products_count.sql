-- Total of the incomplete-products list: products that are not complete at
-- :complete_at. With :complete_at = 80 it is total_products minus complete_products.
-- with: predicates/product_status
-- Binds: :organization_id, :as_of, :complete_at, :all_rows.
SELECT count(*) AS incomplete_products
FROM product_status
WHERE product_status.is_complete = 0
