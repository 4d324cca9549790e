-- reprioritize: sets a pending execution's priority and moves it to that level: under fifo by
-- its arrival there, under fair as its user's next turn there. Its aging starts over at now
-- (ARGV[5]), or counts from its enqueue when now is ''.
-- ARGV: 1 prefix, 2 limits (see limits_of), 3 execution id, 4 new priority rank, 5 now ms or ''
-- Returns: {'moved', position} | {'not_pending'} | {'unknown'}
local policy, id, rank = limits_of(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local meta_json = redis.call('HGET', K_EXEC, id)
if not is_record(meta_json) then return {'unknown'} end
local meta = parse_meta(meta_json)
if meta.s == 'a' then return {'not_pending'} end
local member = member_of(tonumber(meta.q), id)
local level = level_and_key(redis.call('ZSCORE', K_PENDING, member))
if tonumber(meta.p) == rank and level == rank then return {'moved', redis.call('ZRANK', K_PENDING, member)} end
-- Out of the queue before the new key is made, as in memory: the level it joins may be empty
-- without it (see next_tag).
redis.call('ZREM', K_PENDING, member)
redis.call('ZADD', K_PENDING, score_of(rank, key_at(policy, rank, meta)), member)
meta.p = int(rank)
redis.call('HSET', K_EXEC, id, encode_meta(meta))
if policy.aging_ms > 0 then
  redis.call('ZREM', K_AGING, id)
  schedule_aging(policy, id, rank, ARGV[5] == '' and tonumber(meta.e) or tonumber(ARGV[5]))
end
return {'moved', redis.call('ZRANK', K_PENDING, member)}
