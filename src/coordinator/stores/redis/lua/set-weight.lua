-- set-weight: sets a user's weight under fair order; it applies to the user's next turns.
-- ARGV: 1 prefix, 2 user id, 3 weight (1..100).   Returns: the weight.
redis.call('HSET', K_WEIGHTS, ARGV[2], ARGV[3])
return tonumber(ARGV[3])
