-- reprioritize: moves a pending execution to another level, keeping its arrival order there.
-- ARGV: 1 prefix, 2 execution id, 3 new priority rank
-- Returns: {'moved', position} | {'not_pending'} | {'unknown'}
local id, rank = ARGV[2], tonumber(ARGV[3])
local meta_json = redis.call('HGET', K_EXEC, id)
if not is_record(meta_json) then return {'unknown'} end
local meta = parse_meta(meta_json)
if meta.s == 'a' then return {'not_pending'} end
local score = score_of(rank, tonumber(meta.q))
redis.call('ZADD', K_PENDING, 'XX', score, id)
meta.p = int(rank)
redis.call('HSET', K_EXEC, id, encode_meta(meta))
return {'moved', redis.call('ZRANK', K_PENDING, id)}
