-- snapshot: one consistent summary of the queue.
-- ARGV: 1 prefix, 2 limits (for the order: where the oldest is found).
-- Returns (decoded by snapshot.reply.ts): {pending count, active count, held 0|1, count per level (5 values), oldest meta or false}
local held = redis.call('ZSCORE', K_ACTIVE, HELD_MARK) and 1 or 0
local result = {redis.call('ZCARD', K_PENDING), redis.call('ZCARD', K_ACTIVE) - held, held}
for rank = 0, LEVELS - 1 do result[#result + 1] = redis.call('ZCOUNT', K_PENDING, level_min(rank), level_max_exclusive(rank)) end
local _, _, oldest = oldest_pending(limits_of(ARGV[2]))
result[#result + 1] = oldest or false
return result
