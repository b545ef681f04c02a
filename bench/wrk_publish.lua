-- wrk posting the same publish request as every other contender to
-- <url>/publish, Centrifugo's ceiling on this machine:
--
--   wrk -t1 -c64 -d5s -s bench/wrk_publish.lua http://127.0.0.1:PORT/api \
--     -- <api key> <channel prefix> <channels> '<data JSON>'
--
-- The bodies {"channel":"<prefix><i % channels>","data":<data>} are built once
-- in init() and cycled through, so the Lua side costs next to nothing.
-- done() prints one JSON line: requests, seconds, rps, p50/p99/max (ms), errors.

local requests = {}
local count = 0
local next_index = 0

function init(args)
  local key, prefix, channels, data = args[1], args[2], tonumber(args[3]), args[4]
  local path = wrk.path:gsub("/+$", "") .. "/publish"
  local headers = { ["Content-Type"] = "application/json", ["X-API-Key"] = key }
  for i = 0, channels - 1 do
    local body = '{"channel":"' .. prefix .. i .. '","data":' .. data .. '}'
    requests[i] = wrk.format("POST", path, headers, body)
  end
  count = channels
end

function request()
  local r = requests[next_index]
  next_index = (next_index + 1) % count
  return r
end

-- done(): the shared summary line, from the file beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "_wrk_summary.lua")
