-- Counter broken_offers: the organization's online offers whose last URL check failed,
-- whatever the offer's status (the rows are predicates/failing_offers).
-- with: predicates/failing_offers
-- Binds: :organization_id.
SELECT count(*) AS broken_offers
FROM failing_offers
