-- set-held: holds (ARGV[2] = '1') or resumes (anything else) dispatching.
-- ARGV: 1 prefix, 2 '1' or '0'.   Returns: 1 if held.
if ARGV[2] == '1' then redis.call('SET', K_HELD, '1') return 1 end
redis.call('DEL', K_HELD)
return 0
