-- Every product of the organization with its completeness (completeness/product_scores)
-- and whether it counts as complete: a percentage of :complete_at or more.
-- Included by counters/product_counters (complete_products, with :complete_at = 80) and
-- by the incomplete-products list (:complete_at is its --below value), so "complete"
-- is decided in this one place.
-- The LIMIT, which keeps every row (:all_rows is larger than any table), stops
-- PostgreSQL from pulling the scores up into the outer query: there every use of
-- `percentage` would repeat the per-product subqueries behind it, running them two or
-- three times per product instead of once.
-- with: completeness/product_scores
-- Binds: :organization_id, :as_of, :complete_at, :all_rows.
SELECT
    scored.*,
    CASE WHEN scored.percentage >= :complete_at THEN 1 ELSE 0 END AS is_complete
FROM (
    SELECT *
    FROM product_scores
    LIMIT :all_rows
) AS scored
