-- user-weights: the weights operators set for these users (false where none was set).
-- ARGV: 1 prefix, 2.. user ids.   Returns: one weight or false per user.
if #ARGV < 2 then return {} end
return redis.call('HMGET', K_WEIGHTS, unpack(ARGV, 2))
