-- Counters total_products, complete_products, missing_images, and the sum of the
-- completeness percentages behind avg_completeness (closient rounds the mean in Python,
-- half up, from percentage_sum and total_products).
-- They share one file because all four come from one pass over the organization's
-- scored products.
-- with: completeness/product_scores
-- Binds: :organization_id, :as_of.
SELECT
    count(*) AS total_products,
    count(CASE WHEN product_scores.percentage >= 80 THEN 1 END) AS complete_products,
    coalesce(sum(product_scores.percentage), 0) AS percentage_sum,
    count(CASE WHEN product_scores.image_count = 0 THEN 1 END) AS missing_images
FROM product_scores
