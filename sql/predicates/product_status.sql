-- Every product of the organization with its completeness (completeness/product_scores)
-- and whether it counts as complete: a percentage of :complete_at or more.
-- Included by counters/product_counters (complete_products, with :complete_at = 80) and
-- by the incomplete-products list (:complete_at is its --below value), so "complete"
-- is decided in this one place.
-- with: completeness/product_scores
-- Binds: :organization_id, :as_of, :complete_at.
SELECT
    product_scores.*,
    CASE
        WHEN product_scores.percentage >= :complete_at THEN 1 ELSE 0
    END AS is_complete
FROM product_scores
