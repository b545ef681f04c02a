// Emits the JavaScript and declarations that JSR's npm compatibility layer
// serves for this package (type stripping only, one .js and .d.ts per module,
// `.ts` specifiers rewritten to `.js`) into the git-ignored npm/ folder, so
// Node and Bun can be tested on what their users get.
//
//   deno run -A tests/runtimes/build_npm.ts   → prints the folder

import ts from "npm:typescript@5.9.3";

const root = new URL("../../", import.meta.url).pathname;
export const outDir = `${root}npm`;

/**
 * What a Node user's TypeScript sees: ES2022 with the DOM's fetch types, and
 * no Deno or Node types. The build emits with it; the consumer check in
 * tests/runtimes_test.ts compiles against the output with it.
 */
export const NODE_USER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  types: [],
  strict: true,
};

/** Builds npm/ and returns its path; throws with the diagnostics on error. */
export async function buildNpm(): Promise<string> {
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const options: ts.CompilerOptions = {
    ...NODE_USER_OPTIONS,
    declaration: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    verbatimModuleSyntax: true,
    // Like JSR: no type checking here (Deno checks the source); the emitted
    // declarations are checked by tests/runtimes/consumer as a Node user would.
    noCheck: true,
    outDir,
    rootDir: root,
  };
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  // Every JSR entrypoint: "." and the others ("./proxy", "./token", …).
  const entries: Record<string, string> = typeof config.exports === "string"
    ? { ".": config.exports }
    : config.exports;
  const program = ts.createProgram(
    Object.values(entries).map((file) => `${root}${file.replace(/^\.\//, "")}`),
    options,
  );
  const emitted = program.emit();
  const diagnostics = [...program.getSyntacticDiagnostics(), ...emitted.diagnostics];
  if (diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => "\n",
    }));
  }
  const { name, version } = config;
  const exports = Object.fromEntries(
    Object.entries(entries).map(([entry, file]) => {
      const base = file.replace(/\.ts$/, "");
      return [entry, { types: `${base}.d.ts`, default: `${base}.js` }];
    }),
  );
  await Deno.writeTextFile(
    `${outDir}/package.json`,
    JSON.stringify(
      {
        name,
        version,
        type: "module",
        exports,
      },
      null,
      2,
    ),
  );
  return outDir;
}

if (import.meta.main) console.log(await buildNpm());
