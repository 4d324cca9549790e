-- renew-lease: a sign of life from an active execution's pod restarts its lease. It also shows
-- that the dispatch's command arrived, so the dispatch counts as confirmed from then on.
-- ARGV: 1 prefix, 2 execution id, 3 new deadline ms.
-- Returns (decoded by renew-lease.reply.ts): 1 if the execution is active (lease renewed), 0 otherwise.
if ARGV[2] == HELD_MARK or not redis.call('ZSCORE', K_ACTIVE, ARGV[2]) then return 0 end
redis.call('ZADD', K_ACTIVE, lease_until(tonumber(ARGV[3])), ARGV[2])
return 1
