-- The rows behind counter broken_offers: the organization's online offers whose last
-- URL check failed, whatever the offer's status.
-- Included by counters/broken_offers (the count) and triage/broken_offers (the rows),
-- so the two can never disagree.
-- Binds: :organization_id.
SELECT
    o.id,
    o.product_id,
    o.url,
    o.status,
    o.url_status,
    o.url_checked_at
FROM retailers_onlineoffer AS o
WHERE o.organization_id = :organization_id
    AND o.url_status IN ('broken', 'timeout', 'dns_failure')
