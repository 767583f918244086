-- Counter broken_offers: the organization's online offers whose last URL check failed,
-- whatever the offer's status.
-- Binds: :organization_id.
SELECT count(*) AS broken_offers
FROM retailers_onlineoffer AS o
WHERE o.organization_id = :organization_id
    AND o.url_status IN ('broken', 'timeout', 'dns_failure')
