-- confirm-dispatched: the commands of these dispatches were published; never hand them out again.
-- Each keeps its slot under its lease, counted from its dispatch (a sign of life since would
-- already have confirmed it). One call each to read scores and metas and to write.
-- ARGV: 1 prefix, 2 limits (see library/limits.lua), 3.. execution ids.
-- Returns (decoded by confirm-dispatched.reply.ts): how many were unconfirmed.
local lease_ms = limits_of(ARGV[2]).lease_ms
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then return 0 end
local metas = redis.call('HMGET', K_EXEC, unpack(ids))
local leases = {}
for i, score in ipairs(redis.call('ZMSCORE', K_ACTIVE, unpack(ids))) do
  if score and is_unconfirmed(score) and is_record(metas[i]) then
    leases[#leases + 1] = lease_until(tonumber(parse_meta(metas[i]).d) + lease_ms)
    leases[#leases + 1] = ids[i]
  end
end
if #leases > 0 then redis.call('ZADD', K_ACTIVE, 'XX', unpack(leases)) end
return #leases / 2
