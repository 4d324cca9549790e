-- luacheck settings for the Redis function library (see scripts/lint-lua.mjs, run by npm run lint).
-- Redis runs Lua 5.1 and gives the library its `redis` object.
std = 'lua51'
read_globals = { 'redis' }
max_line_length = 160
