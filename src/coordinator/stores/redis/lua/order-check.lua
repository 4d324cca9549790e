-- order-check: at start, compares the order this replica uses with the one the pending
-- executions were queued in. With executions pending under another order the replica must not
-- start (their keys mean something else); otherwise the order is recorded.
-- ARGV: 1 prefix, 2 'fifo' | 'fair'
-- Returns: {'ok'} | {'conflict', recorded order, pending count}
local recorded = redis.call('HGET', K_COUNTERS, 'order') or 'fifo'
local pending = redis.call('ZCARD', K_PENDING)
if recorded ~= ARGV[2] and pending > 0 then return {'conflict', recorded, pending} end
redis.call('HSET', K_COUNTERS, 'order', ARGV[2])
return {'ok'}
