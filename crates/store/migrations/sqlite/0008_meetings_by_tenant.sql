-- The rooms a tenant used this period are counted at every create, inside
-- the claim's transaction: by tenant and creation time, not by a scan of
-- every meeting ever held.
CREATE INDEX meetings_tenant_created ON meetings (tenant_id, created_at);
