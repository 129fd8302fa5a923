-- Referrals reach a partner through the outbox: which partner, and which
-- outbox rows carry a referral (or its retraction).
-- PostgreSQL counterpart of sqlite/0005_referral_delivery.sql.
ALTER TABLE referrals ADD COLUMN partner_id BIGINT REFERENCES partners (id);
ALTER TABLE outbox ADD COLUMN referral_id BIGINT REFERENCES referrals (id);
CREATE INDEX outbox_referral ON outbox (referral_id) WHERE referral_id IS NOT NULL;
