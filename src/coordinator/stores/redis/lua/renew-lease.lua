-- renew-lease: a sign of life from an active execution's pod restarts its lease.
-- ARGV: 1 prefix, 2 execution id, 3 new deadline ms.
-- Returns: 1 if the execution is active (lease renewed), 0 otherwise.
if not redis.call('ZSCORE', K_ACTIVE, ARGV[2]) then return 0 end
redis.call('ZADD', K_DEADLINES, ARGV[3], 'l:' .. ARGV[2])
return 1
