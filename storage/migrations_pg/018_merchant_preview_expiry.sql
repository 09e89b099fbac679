-- The sweep marks shop previews past their ten minutes expired; this finds the few still
-- pending without reading every payment a shop ever took.
CREATE INDEX merchant_payments_pending_expiry ON merchant_payments(expires_at)
    WHERE status = 'pending';
