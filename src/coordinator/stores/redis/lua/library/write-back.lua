-- The writes a call keeps for its end (see call-state.lua); every registered function runs
-- write_back after its body.
local function write_back()
  add_recent()
  sync_arrivals()
  local call = CALL
  if next(call.fair_set) == nil then return end
  local fields = {}
  for field in pairs(call.fair_set) do
    fields[#fields + 1], fields[#fields + 2] = field, int(call.fair_known[field])
  end
  -- New fields (a user's first turn at a level, or clocks started over) may outgrow the packed hash.
  if redis.call('HSET', K_FAIR, unpack(fields)) > 0 then move_to_hash_table_if_grown(K_FAIR) end
  call.fair_set = {}
end
