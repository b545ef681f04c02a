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

function done(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.status + errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"errors":%d,"seconds":%.6f,"rps":%.3f,"p50":%.4f,"p99":%.4f,"max":%.4f}\n',
    summary.requests, failed, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
