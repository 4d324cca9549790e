-- confirm-dispatched: the commands of these dispatches were published; never hand them out again.
-- KEYS: the eleven of common.lua.   ARGV: 1 prefix, 2.. execution ids.   Returns: how many were unconfirmed.
local confirmed = 0
for i = 2, #ARGV do confirmed = confirmed + redis.call('ZREM', K_UNCONFIRMED, ARGV[i]) end
return confirmed
