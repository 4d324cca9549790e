-- confirm-dispatched: the commands of these dispatches were published; never hand them out again.
-- ARGV: 1 prefix, 2.. execution ids.   Returns: how many were unconfirmed.
local marks = {}
for i = 2, #ARGV do marks[#marks + 1] = 'u:' .. ARGV[i] end
if #marks == 0 then return 0 end
return redis.call('ZREM', K_DEADLINES, unpack(marks))
