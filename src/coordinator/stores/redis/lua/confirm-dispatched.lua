-- confirm-dispatched: the commands of these dispatches were published; never hand them out again.
-- Each keeps its slot under a lease counted from when it was (last) handed out.
-- ARGV: 1 prefix, 2 lease ms, 3 dispatch grace ms, 4.. execution ids.
-- Returns: how many were unconfirmed.
local lease_ms, grace_ms = tonumber(ARGV[2]), tonumber(ARGV[3])
local confirmed = 0
for i = 4, #ARGV do
  local score = redis.call('ZSCORE', K_ACTIVE, ARGV[i])
  if score and tonumber(score) % 2 == 1 then
    local handed_out = (tonumber(score) - 1) / 2 - grace_ms
    redis.call('ZADD', K_ACTIVE, lease_until(handed_out + lease_ms), ARGV[i])
    confirmed = confirmed + 1
  end
end
return confirmed
