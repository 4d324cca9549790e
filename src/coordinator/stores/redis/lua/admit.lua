-- admit: a batch of admissions, each exactly as a call of its own would run it (admit_one in
-- library/admit-one.lua), one after another: requests a replica admits while one call is in flight
-- travel together, so the cost of a call is paid once for all of them.
-- ARGV: 1 prefix, 2 limits (see library/limits.lua), then for each request: how many arguments it has,
--       then those (admit_one's ARGV from 3 on: execution id, user id, rank, now ms, request
--       JSON, saga ids).
-- Returns (decoded by admit.reply.ts): admit_one's replies, in order.
return each_call(admit_one)
