-- confirm-dispatched: the commands of these dispatches were published; never hand them out again.
-- Each keeps its slot under a lease counted from when it was (last) handed out. One read and
-- one write for the whole batch.
-- ARGV: 1 prefix, 2 limits (see limits_of), 3.. execution ids.
-- Returns: how many were unconfirmed.
local limits = limits_of(ARGV[2])
local lease_ms, grace_ms = limits.lease_ms, limits.grace_ms
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then return 0 end
local leases = {}
for i, score in ipairs(redis.call('ZMSCORE', K_ACTIVE, unpack(ids))) do
  if score and tonumber(score) % 2 == 1 then
    local handed_out = (tonumber(score) - 1) / 2 - grace_ms
    leases[#leases + 1] = lease_until(handed_out + lease_ms)
    leases[#leases + 1] = ids[i]
  end
end
if #leases > 0 then redis.call('ZADD', K_ACTIVE, 'XX', unpack(leases)) end
return #leases / 2
