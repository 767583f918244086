-- Rows of the broken-offers list: the offers counted by counter broken_offers, with
-- their product, most recently checked first (never checked last), then by offer id.
-- with: predicates/failing_offers
-- Binds: :organization_id, :limit, :offset.
SELECT
    failing_offers.id,
    p.gtin,
    p.product_name,
    failing_offers.url,
    failing_offers.url_status,
    failing_offers.status,
    failing_offers.url_checked_at
FROM failing_offers
JOIN products_product AS p ON p.id = failing_offers.product_id
ORDER BY failing_offers.url_checked_at DESC NULLS LAST, failing_offers.id
LIMIT :limit OFFSET :offset
