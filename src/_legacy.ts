// Centrifugo's legacy API format, still served by v6 (deprecated since v5) and
// the only one v3/v4 speak: every command goes to the API endpoint itself as
// `{"method", "params"}`; a batch is newline-delimited commands with ids, and
// the replies come back newline-delimited `{"id"?, "error"? | "result"?}`.

/** One encoded legacy command; `params` is already JSON. */
export function legacyCommand(method: string, params: string, id?: number): string {
  const prefix = id === undefined ? "" : `"id":${id},`;
  return `{${prefix}"method":${JSON.stringify(method)},"params":${params}}`;
}

/**
 * Splits a legacy batch answer into one reply per command, checking that the
 * ids (1, 2, …) match the commands' positions.
 */
export function legacyReplies(text: string, count: number): unknown[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length !== count) {
    throw new SyntaxError(`${lines.length} reply lines for ${count} commands`);
  }
  return lines.map((line, i) => {
    const reply = JSON.parse(line) as { id?: unknown } | null;
    if (reply?.id !== i + 1) {
      throw new SyntaxError(`reply line ${i} has id ${reply?.id}, not ${i + 1}`);
    }
    return reply;
  });
}
