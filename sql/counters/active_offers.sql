-- Counter active_offers: the organization's in-store plus online offers whose status
-- is 'active'.
-- Binds: :organization_id.
SELECT
    (
        SELECT count(*)
        FROM retailers_instoreoffer AS s
        WHERE s.organization_id = :organization_id AND s.status = 'active'
    ) + (
        SELECT count(*)
        FROM retailers_onlineoffer AS o
        WHERE o.organization_id = :organization_id AND o.status = 'active'
    ) AS active_offers
