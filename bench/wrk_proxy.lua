-- wrk posting the connect request Centrifugo sends its connect proxy, for
-- the proxy handler benchmark (bench/proxy.ts):
--
--   wrk -t1 -c16 -d2s -s bench/wrk_proxy.lua http://127.0.0.1:PORT/centrifugo/connect
--
-- The request is formatted once in init(). done() prints one JSON line:
-- requests, errors (incl. non-2xx), seconds, rps, p50/p99/max (ms).

local request_bytes

function init(args)
  local body = '{"client":"6f1c2a3e-8d4b-4f0e-9a7c-2b5d8e1f0a93","transport":"websocket",' ..
    '"protocol":"json","encoding":"json","data":{"token":"demo-session"},"name":"js",' ..
    '"version":"5.8.0"}'
  request_bytes = wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Go-http-client/1.1",
    ["Accept-Encoding"] = "gzip",
  }, body)
end

function request()
  return request_bytes
end

-- done(): the shared summary line, from the file beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "_wrk_summary.lua")
