-- release: a batch of releases, each exactly as a call of its own would run it (release_one in
-- library/release-one.lua), one after another: releases a replica asks for while one is in flight
-- travel together, so the cost of a call is paid once for all of them.
-- ARGV: 1 prefix, 2 limits (see library/limits.lua), then for each release: how many arguments it has,
--       then those (release_one's ARGV from 3 on: execution id, now ms, saga ids).
-- Returns (decoded by release.reply.ts): release_one's replies, in order.
return each_call(release_one)
