-- Counters total_products, complete_products, and the sum of the completeness
-- percentages behind avg_completeness (closient rounds the mean in Python, half up,
-- from percentage_sum and total_products).
-- They share one file because all three come from one pass over the organization's
-- scored products; predicates/product_status decides which products are complete.
-- with: predicates/product_status
-- Binds: :organization_id, :as_of, :complete_at, :all_rows.
SELECT
    count(*) AS total_products,
    count(CASE WHEN product_status.is_complete = 1 THEN 1 END) AS complete_products,
    coalesce(sum(product_status.percentage), 0) AS percentage_sum
FROM product_status
