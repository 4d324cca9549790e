-- set-weight: sets a user's weight under fair order; it applies to the user's next turns.
-- ARGV: 1 prefix, 2 user id, 3 weight (1..100).   Returns: the weight.
-- Once the hash exists every fair admission reads its user's weight (see weight_of).
if redis.call('HSET', K_WEIGHTS, ARGV[2], ARGV[3]) > 0 then move_to_hash_table_if_grown(K_WEIGHTS) end
return tonumber(ARGV[3])
