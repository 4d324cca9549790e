-- admit: a batch of admissions, each exactly as a call of its own would run it (admit_one in
-- admit-one.lua), one after another: requests a replica admits while one call is in flight
-- travel together, so the cost of a call is paid once for all of them.
-- ARGV: 1 prefix, 2 limits (see limits_of), then for each request: how many arguments it has,
--       then those (admit_one's ARGV from 3 on: execution id, user id, rank, now ms, request
--       JSON, saga ids).
-- Returns: admit_one's replies, in order.
if limits_of(ARGV[2]).fair then
  -- Fair order weighs each admission by its user's weight and tags it from its level's and its
  -- user's clocks: one read of the weights and one of the clocks for all of them.
  local users, clocks = {}, {}
  for _, start in ipairs(packed_calls()) do
    local user, level = ARGV[start + 2], tonumber(ARGV[start + 3])
    users[#users + 1] = user
    if VIRTUAL_FIELD[level] then
      clocks[#clocks + 1], clocks[#clocks + 2], clocks[#clocks + 3] = VIRTUAL_FIELD[level], LATEST_FIELD[level], user_clock_field(level, user)
    end
  end
  read_weights(users)
  read_fair_clocks(clocks)
end
return each_call(admit_one)
