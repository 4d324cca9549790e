-- order-check: run once when a replica starts (see queue-order.guard.ts). Brings pending members written by an earlier
-- version (the bare execution id) to this layout (arrival sequence first, see member_of), then
-- compares the order this replica uses with the one the pending executions were queued in.
-- With executions pending under another order the replica must not start (their keys mean
-- something else); otherwise the order is recorded.
-- ARGV: 1 prefix, 2 'fifo' | 'fair'
-- Returns (decoded by order-check.reply.ts): {'ok'} | {'conflict', recorded order, pending count}
if redis.call('HGET', K_COUNTERS, 'layout') ~= '2' then
  local flat = redis.call('ZRANGE', K_PENDING, '0', '-1', 'WITHSCORES')
  for i = 1, #flat, 2 do
    local id = flat[i]
    local meta_text = read_meta(id)
    if is_record(meta_text) then
      local member, user_key = member_of_meta(meta_text, id), user_pending_key(meta_user(meta_text))
      redis.call('ZREM', K_PENDING, id)
      redis.call('ZADD', K_PENDING, flat[i + 1], member)
      redis.call('LREM', user_key, '1', id)
      redis.call('RPUSH', user_key, member)
    end
  end
  redis.call('HSET', K_COUNTERS, 'layout', '2')
end
local recorded = redis.call('HGET', K_COUNTERS, 'order') or 'fifo'
local pending = redis.call('ZCARD', K_PENDING)
if recorded ~= ARGV[2] and pending > 0 then return {'conflict', recorded, pending} end
redis.call('HSET', K_COUNTERS, 'order', ARGV[2])
return {'ok'}
