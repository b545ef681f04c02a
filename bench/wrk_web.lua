-- wrk for the web-server benchmark (bench/web.ts): plain GETs to the app,
-- which publishes once per request; done() prints the summary line.

-- done(): the shared summary line, from the file beside this one.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "_wrk_summary.lua")
