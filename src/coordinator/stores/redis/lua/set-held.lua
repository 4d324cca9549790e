-- set-held: holds (ARGV[2] = '1') or resumes (anything else) dispatching.
-- ARGV: 1 prefix, 2 '1' or '0'.   Returns: 1 if held.
if ARGV[2] == '1' then
  redis.call('ZADD', K_ACTIVE, '-inf', HELD_MARK)
  return 1
end
redis.call('ZREM', K_ACTIVE, HELD_MARK)
return 0
