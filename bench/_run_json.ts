// Runs one measurement's process and reads its result from the last line of
// its stdout, as JSON (every runner prints its result there), bounded in time.
// Shared by the parts of the bench that spawn runners.

/** A runner's result, or why there is none. */
export interface Outcome {
  ok: boolean;
  value?: Record<string, unknown>;
  error?: string;
}

/** Runs argv, bounded by `timeoutMs`, and parses the last line of its stdout as JSON. */
export async function runJson(argv: string[], timeoutMs: number): Promise<Outcome> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    return { ok: false, error: String(err) };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  const last = stdout.trim().split("\n").pop() ?? "";
  if (timedOut) return { ok: false, error: `killed after ${timeoutMs} ms` };
  try {
    const value = JSON.parse(last);
    if (typeof value === "object" && value !== null) return { ok: true, value };
  } catch {
    // Reported below.
  }
  const why = (stderr.trim() || stdout.trim()).split("\n").slice(-6).join("\n");
  return { ok: false, error: `exit ${output.code}: ${why.slice(0, 800)}` };
}
