-- lookup: one execution with its state and, when pending, its true position and the level it
-- waits in.
-- ARGV: 1 prefix, 2 execution id.
-- Returns (decoded by lookup.reply.ts): {} if unknown | {meta, payload, position or -1 when active, level or -1}
local id = ARGV[2]
local meta_json, payload = read(id)
if not meta_json then return {} end
if is_active(meta_json) then return {meta_json, payload, -1, -1} end
local member = member_of_meta(meta_json, id)
return {meta_json, payload, redis.call('ZRANK', K_PENDING, member), level_and_key(redis.call('ZSCORE', K_PENDING, member))}
