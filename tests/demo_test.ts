// Keeps `deno task demo` (one of the README's two commands) working: runs it
// as a user would and checks what it prints.

import assert from "node:assert/strict";

Deno.test("deno task demo runs the quick start against a throwaway Centrifugo", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "demo"],
    cwd: new URL("..", import.meta.url),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `demo failed:\n${stdout}\n${stderr}`);
  assert.match(stdout, /^publish\s+\{"offset":1,"epoch":"\w+"\}$/m);
  assert.match(stdout, /^\s+received by the WebSocket client \{"input":"test"\}$/m);
  assert.match(stdout, /^presenceStats\s+\{"num_clients":1,"num_users":1\}$/m);
  assert.match(stdout, /^history\s+\{"publications":\[\{"data":\{"input":"test"\},"offset":1\}\]/m);
  assert.match(
    stdout,
    /^\s+again, key_mode if_new\s+\{.*"suppressed":true,"suppress_reason":"key_exists"\}$/m,
  );
  assert.match(stdout, /^mapReadState\s+\{"entries":\[\{"key":"a1","data":\{"mark":"x"\}/m);
  assert.match(stdout, /^publish to an unknown namespace\s+"ResponseError 102: /m);
  assert.match(stdout, /^info with a wrong key\s+"RequestError 401: /m);
  assert.match(stdout, /"code":3503,"reason":"force disconnect"/);
  assert.match(stdout, /Done: Centrifugo stopped\.$/m);
});
