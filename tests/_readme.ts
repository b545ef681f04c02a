// Reads README.md's sections and code blocks, so tests can run what the README
// shows (its DDL, its Centrifugo config, its examples) instead of a copy.

const root = new URL("../", import.meta.url).pathname;

/** The text of the README section titled `title` (any heading level), up to the next heading of its level or higher. */
export async function readmeSection(title: string): Promise<string> {
  const text = await Deno.readTextFile(`${root}README.md`);
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, "") === title);
  if (start < 0) throw new Error(`README.md has no section "${title}"`);
  const level = lines[start]!.indexOf(" ");
  let inside = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i]!.startsWith("```")) inside = !inside;
    const heading = /^(#+) /.exec(lines[i]!);
    if (!inside && heading && heading[1]!.length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join("\n");
}

/** The code of the only fenced block of `lang` in `section` that contains `marker`. */
export function readmeBlock(section: string, lang: string, marker: string): string {
  const fence = /^```(\S*)[^\n]*\n([\s\S]*?)^```$/gm;
  const found = [...section.matchAll(fence)].filter(([, l, code]) =>
    l === lang && code!.includes(marker)
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${lang} block with ${marker} in the README, found ${found.length}`,
    );
  }
  return found[0]![2]!;
}

/**
 * Runs a README example as a module of this project (so its imports resolve
 * through deno.json), from a file named after `name` in the git-ignored
 * tests/.readme_examples.
 */
export async function runReadmeExample(name: string, code: string): Promise<void> {
  const dir = `${root}tests/.readme_examples`;
  await Deno.mkdir(dir, { recursive: true });
  const file = `${dir}/${name}_${crypto.randomUUID().slice(0, 8)}.ts`;
  await Deno.writeTextFile(file, code);
  try {
    await import(`file://${file}`);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}
