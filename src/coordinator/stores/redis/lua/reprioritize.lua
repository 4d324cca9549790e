-- reprioritize: sets a pending execution's priority and moves it to that level, keyed as
-- key_at keys a move (no arrival: the level's busy period is left as it is): under fifo by its
-- arrival, under fair as its user's next turn there. An execution already waiting at that
-- priority in that level stays where it is. Its aging starts over at now (ARGV[5]), or counts
-- from its enqueue when now is ''.
-- ARGV: 1 prefix, 2 limits (see library/limits.lua), 3 execution id, 4 new priority rank,
--       5 now ms or ''
-- Returns (decoded by reprioritize.reply.ts): {'moved', position} | {'not_pending'} | {'unknown'}
local limits, id, rank = limits_of(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local meta_json = redis.call('HGET', K_EXEC, id)
if not is_record(meta_json) then return {'unknown'} end
local meta = parse_meta(meta_json)
if meta.s == 'a' then return {'not_pending'} end
local member = member_of(tonumber(meta.q), id)
local level = level_and_key(redis.call('ZSCORE', K_PENDING, member))
if tonumber(meta.p) == rank and level == rank then return {'moved', redis.call('ZRANK', K_PENDING, member)} end
redis.call('ZADD', K_PENDING, 'XX', score_of(rank, key_at(limits, rank, meta)), member)
meta.p = int(rank)
redis.call('HSET', K_EXEC, id, encode_meta(meta))
if limits.aging_ms > 0 then
  redis.call('ZREM', K_AGING, id)
  schedule_aging(limits, id, rank, ARGV[5] == '' and tonumber(meta.e) or tonumber(ARGV[5]))
end
return {'moved', redis.call('ZRANK', K_PENDING, member)}
