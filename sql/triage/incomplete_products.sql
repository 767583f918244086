-- Rows of the incomplete-products list: products that are not complete at
-- :complete_at (the --below value), lowest percentage first, then by product id,
-- with the points of every group so the missing and half-done ones can be named.
-- Scoring every product is the cost of this list, so the same pass also counts the
-- list (total_count); triage/incomplete_products_count counts it when the page is
-- empty.
-- with: predicates/product_status
-- Binds: :organization_id, :as_of, :complete_at, :all_rows, :limit, :offset.
SELECT
    product_status.product_id AS id,
    product_status.gtin,
    product_status.product_name,
    product_status.percentage,
    product_status.name_points,
    product_status.description_points,
    product_status.brand_points,
    product_status.category_points,
    product_status.images_points,
    product_status.nutrition_points,
    product_status.certifications_points,
    product_status.offers_points,
    product_status.country_points,
    count(*) OVER () AS total_count
FROM product_status
WHERE product_status.is_complete = 0
ORDER BY product_status.percentage, product_status.product_id
LIMIT :limit OFFSET :offset
