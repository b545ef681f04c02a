-- What every bench/wrk_*.lua script prints when wrk is done: one JSON line
-- with requests, errors (connect, read, write, timeout, non-2xx), seconds,
-- rps, and p50/p99/max latency in ms. Loaded by each script with dofile().

function done(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.status + errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"errors":%d,"seconds":%.6f,"rps":%.3f,"p50":%.4f,"p99":%.4f,"max":%.4f}\n',
    summary.requests, failed, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
