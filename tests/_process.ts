// Runs a server process for the tests under a watchdog, and waits for it to
// be ready. Shared by the Centrifugo and Redis harnesses.
//
// The shell runs the server, and a watchdog beside it kills the server as soon
// as this process is gone. The watchdog is its own process with its own stdio,
// so it outlives the shell when `deno test` kills the shell on exit: no server
// outlives its test run, even when a test fails or the run is interrupted.

const WATCHDOG = [
  'c="$1"; shift; "$c" "$@" & pid=$!',
  '( while kill -0 "$WATCH_PID" && kill -0 $pid; do sleep 0.5; done; kill $pid ) >/dev/null 2>&1 &',
  "trap 'kill $pid 2>/dev/null' TERM INT",
  // kill("SIGKILL"): SIGUSR1 to the shell kills the server abruptly.
  "trap 'kill -9 $pid 2>/dev/null' USR1",
  // The first wait returns when a trap runs; the second until the server has exited.
  "wait $pid; wait $pid",
].join("\n");

/** How long a graceful stop may take before the server is killed. */
const GRACE_MS = 1000;

/** Thrown when the server could not bind its port (another process took it). */
export class PortTakenError extends Error {}

/** A watched server process. */
export interface Watched {
  /** What the server printed so far (the last 100 000 characters). */
  output(): string;
  /** Stops the server (gracefully unless SIGKILL) and removes `dir`. Idempotent. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

/**
 * Starts `bin args…` in `dir` under the watchdog and waits until `ready()`
 * says yes. If the server exits or is not ready within `readyWithin` ms, it is
 * stopped and the start fails with its output (PortTakenError when it could
 * not bind).
 */
export async function startWatched(
  name: string,
  bin: string,
  args: string[],
  dir: string,
  ready: () => Promise<boolean>,
  readyWithin: number,
): Promise<Watched> {
  const child = new Deno.Command("sh", {
    args: ["-c", WATCHDOG, "sh", bin, ...args],
    cwd: dir,
    env: { WATCH_PID: String(Deno.pid) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output = (output + decoder.decode(chunk)).slice(-100_000);
  };
  const drained = Promise.all([collect(child.stdout), collect(child.stderr)]);
  let stopped: Promise<void> | undefined;
  const stop = (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") =>
    stopped ??= (async () => {
      try {
        child.kill(signal === "SIGKILL" ? "SIGUSR1" : "SIGTERM");
      } catch {
        // Already exited.
      }
      // A graceful stop normally takes milliseconds; Centrifugo's can wait
      // seconds on an idle keep-alive connection, which no test needs.
      const grace = setTimeout(() => {
        try {
          child.kill("SIGUSR1");
        } catch {
          // Exited meanwhile.
        }
      }, GRACE_MS);
      await child.status;
      clearTimeout(grace);
      await drained;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + readyWithin;
  while (true) {
    if (exited) {
      await stop();
      if (/address already in use/i.test(output)) throw new PortTakenError(output);
      throw new Error(`${name} exited during startup:\n${output}`);
    }
    if (await ready()) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} was not ready within ${readyWithin / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { output: () => output, stop };
}
