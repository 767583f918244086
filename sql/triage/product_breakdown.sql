-- One product's completeness, group by group, exactly as the counters score it: the
-- organization's scored products (completeness/product_scores) filtered by GTIN.
-- products_product.gtin is char(14) on PostgreSQL: the bind is cast to the same type
-- so the comparison can use the column's unique index.
-- with: completeness/product_scores
-- Binds: :organization_id, :as_of, :gtin (14 digits).
SELECT
    product_scores.product_id AS id,
    product_scores.gtin,
    product_scores.product_name,
    product_scores.percentage,
    product_scores.name_points,
    product_scores.description_points,
    product_scores.brand_points,
    product_scores.category_points,
    product_scores.images_points,
    product_scores.nutrition_points,
    product_scores.certifications_points,
    product_scores.offers_points,
    product_scores.country_points
FROM product_scores
WHERE product_scores.gtin = CAST(:gtin AS char(14))
