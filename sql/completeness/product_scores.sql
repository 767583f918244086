-- Completeness of every product of one organization, group by group.
--
-- The one place the completeness formula is written. Each *_points column is the
-- group's weight times its score (0, 0.5 or 1) times 100, so every value is a whole
-- number and `percentage`, their sum, runs from 0 to 100.
--
--   group           weight  full score                         half score
--   name            0.14    product_name not blank
--   description     0.16    50+ characters after trimming      1 to 49
--   brand           0.10    brand_id set
--   category        0.10    category_id set
--   images          0.20    2 or more image rows               exactly 1
--   nutrition       0.06    nutrition not null
--   certifications  0.06    an assignment with no expiry or expiring on or after :as_of
--   offers          0.08    an active in-store or online offer, whoever owns it
--   country         0.10    country_of_origin not blank
--
-- Blank means empty or spaces only; trim() removes spaces only, on both engines.
--
-- Speed: the child rows are grouped per product first (images counted, certified and
-- actively offered products listed once each), each restricted to the organization's
-- products by a join, and the groups are then joined to the products. This lets the
-- planner read each child index once, in product order, and merge it with the
-- organization's product ids, instead of probing every child index once per product.
--
-- :gtin, when not null, scores only the product with that GTIN (one product's
-- breakdown); every report binds it null. PostgreSQL folds the null test away when it
-- plans the statement and SQLite evaluates it once, so a report pays nothing for it,
-- while a breakdown reads only its product's rows through the indexes.
-- Binds: :organization_id, :as_of, :gtin.
SELECT
    scored.*,
    scored.name_points + scored.description_points + scored.brand_points
        + scored.category_points + scored.images_points + scored.nutrition_points
        + scored.certifications_points + scored.offers_points
        + scored.country_points AS percentage
FROM (
    SELECT
        facts.product_id,
        facts.gtin,
        facts.product_name,
        facts.image_count,
        CASE WHEN trim(facts.product_name) <> '' THEN 14 ELSE 0 END AS name_points,
        CASE
            WHEN length(trim(facts.description)) >= 50 THEN 16
            WHEN trim(facts.description) <> '' THEN 8
            ELSE 0
        END AS description_points,
        CASE WHEN facts.brand_id IS NOT NULL THEN 10 ELSE 0 END AS brand_points,
        CASE WHEN facts.category_id IS NOT NULL THEN 10 ELSE 0 END AS category_points,
        CASE
            WHEN facts.image_count >= 2 THEN 20
            WHEN facts.image_count = 1 THEN 10
            ELSE 0
        END AS images_points,
        CASE WHEN facts.has_nutrition = 1 THEN 6 ELSE 0 END AS nutrition_points,
        CASE WHEN facts.has_certification = 1 THEN 6 ELSE 0 END AS certifications_points,
        CASE WHEN facts.has_active_offer = 1 THEN 8 ELSE 0 END AS offers_points,
        CASE
            WHEN trim(facts.country_of_origin) <> '' THEN 10 ELSE 0
        END AS country_points
    FROM (
        SELECT
            p.id AS product_id,
            p.gtin,
            p.product_name,
            p.description,
            p.brand_id,
            p.category_id,
            p.country_of_origin,
            CASE WHEN p.nutrition IS NULL THEN 0 ELSE 1 END AS has_nutrition,
            coalesce(images.image_count, 0) AS image_count,
            CASE WHEN certified.product_id IS NULL THEN 0 ELSE 1 END
                AS has_certification,
            CASE WHEN offered.product_id IS NULL THEN 0 ELSE 1 END AS has_active_offer
        FROM products_product AS p
        LEFT JOIN (
            SELECT i.product_id, count(*) AS image_count
            FROM products_productimage AS i
            JOIN products_product AS ip ON ip.id = i.product_id
            WHERE ip.owner_id = :organization_id
                AND (CAST(:gtin AS char(14)) IS NULL OR ip.gtin = CAST(:gtin AS char(14)))
            GROUP BY i.product_id
        ) AS images ON images.product_id = p.id
        LEFT JOIN (
            SELECT DISTINCT a.product_id
            FROM certifications_certificationassignment AS a
            JOIN products_product AS ap ON ap.id = a.product_id
            WHERE ap.owner_id = :organization_id
                AND (CAST(:gtin AS char(14)) IS NULL OR ap.gtin = CAST(:gtin AS char(14)))
                AND (a.expiry_date IS NULL OR a.expiry_date >= :as_of)
        ) AS certified ON certified.product_id = p.id
        LEFT JOIN (
            SELECT s.product_id
            FROM retailers_instoreoffer AS s
            JOIN products_product AS sp ON sp.id = s.product_id
            WHERE sp.owner_id = :organization_id AND s.status = 'active'
                AND (CAST(:gtin AS char(14)) IS NULL OR sp.gtin = CAST(:gtin AS char(14)))
            UNION
            SELECT o.product_id
            FROM retailers_onlineoffer AS o
            JOIN products_product AS op ON op.id = o.product_id
            WHERE op.owner_id = :organization_id AND o.status = 'active'
                AND (CAST(:gtin AS char(14)) IS NULL OR op.gtin = CAST(:gtin AS char(14)))
        ) AS offered ON offered.product_id = p.id
        WHERE p.owner_id = :organization_id
            AND (CAST(:gtin AS char(14)) IS NULL OR p.gtin = CAST(:gtin AS char(14)))
    ) AS facts
) AS scored
