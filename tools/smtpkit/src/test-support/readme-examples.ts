/**
 * Type-checks the ```ts examples of a package README against the package's built types, so a
 * renamed option or a wrong method in the README fails a test. The examples are compiled, never run.
 *
 * Each example becomes a `.mts` module (ESM whatever the folder: top-level await works) in a
 * temporary folder under the package's `node_modules/.cache/`, so `@smtpkit/...` imports resolve as a
 * user's would: siblings through the package's node_modules, the package itself through its own
 * name and `exports`, i.e. its `dist/*.d.ts`, which the build must have written.
 *
 * It lives in tools/smtpkit, which depends on every package, so one copy serves all the READMEs
 * (packages do not share test support, and none may import tools/).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export interface ReadmeExample {
  /** 1-based position among the README's ```ts blocks. */
  readonly index: number;
  /** The names the block imports from the package itself, for the test name. */
  readonly title: string;
  /** README line of the block's first code line (1-based). */
  readonly line: number;
  readonly code: string;
}

export interface ReadmeCheckOptions {
  /**
   * `declare` lines for names the examples use without defining them (the reader's own message,
   * batch, …), put before every example.
   */
  readonly declarations?: readonly string[];
  /** Blocks (by index) that are API summaries, not code: they are listed but not compiled. */
  readonly summaries?: readonly number[];
}

export interface ReadmeCheck {
  readonly examples: readonly ReadmeExample[];
  readonly summaries: readonly ReadmeExample[];
  /** Writes the examples out and compiles them all in one program. */
  compile(): void;
  /** The errors in one example, as `README.md:line:column TSxxxx message` lines with the source line. */
  errors(example: ReadmeExample): string[];
  /** Removes the temporary folder. */
  cleanup(): void;
}

const FENCE_OPEN = /^```(?:ts|typescript)\s*$/;
const FENCE_CLOSE = /^```\s*$/;

function extract(readme: string, packageName: string): ReadmeExample[] {
  const lines = readme.split(/\r?\n/);
  const out: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i] ?? "")) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !FENCE_CLOSE.test(lines[end] ?? "")) end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: \`\`\`ts block is never closed`);
    const code = lines.slice(start, end).join("\n");
    out.push({ index: out.length + 1, title: titleOf(code, packageName), line: start + 1, code });
    i = end;
  }
  return out;
}

function titleOf(code: string, packageName: string): string {
  const escaped = packageName.replace(/[/.-]/g, "\\$&");
  const m = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"${escaped}"`).exec(code);
  if (m === null) return "no import";
  const names = (m[1] ?? "")
    .split(",")
    .map((s) => s.trim().replace(/^type\s+/, ""))
    .filter((s) => s !== "");
  return names.length > 3 ? `${names.slice(0, 3).join(", ")}, …` : names.join(", ");
}

/** `packageRoot` is the folder holding the package's package.json and README.md. */
export function readmeExamples(packageRoot: URL, options: ReadmeCheckOptions = {}): ReadmeCheck {
  const root = fileURLToPath(packageRoot);
  const packageName = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string }).name;
  const blocks = extract(readFileSync(join(root, "README.md"), "utf8"), packageName);
  const summaryIndexes = new Set(options.summaries ?? []);
  for (const i of summaryIndexes) {
    const b = blocks[i - 1];
    if (b === undefined) throw new Error(`README.md has no \`\`\`ts block ${i} (listed as an API summary)`);
    // A real example moved into a summary's place must not go unchecked.
    if (/^\s*import\s/m.test(b.code)) throw new Error(`README.md:${b.line}: block ${i} is listed as an API summary but imports`);
  }
  const examples = blocks.filter((b) => !summaryIndexes.has(b.index));
  const summaries = blocks.filter((b) => summaryIndexes.has(b.index));
  const prelude = options.declarations ?? [];

  let dir: string | undefined;
  let byFile = new Map<string, ts.Diagnostic[]>();
  let general: ts.Diagnostic[] = [];
  const fileOf = (e: ReadmeExample): string => join(dir ?? "", `example-${e.index}.mts`);

  function compile(): void {
    if (!existsSync(join(root, "dist", "index.d.ts"))) {
      throw new Error(`${packageName}: dist/index.d.ts is missing; build first (pnpm build, or pnpm test which builds)`);
    }
    const cache = join(root, "node_modules", ".cache");
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, "readme-examples-"));
    for (const e of examples) writeFileSync(fileOf(e), [...prelude, e.code, ""].join("\n"));
    const config = ts.parseJsonConfigFileContent(
      {
        extends: join(root, "..", "..", "tsconfig.base.json"),
        compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false },
        files: examples.map(fileOf),
      },
      ts.sys,
      dir,
    );
    general = [...config.errors];
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
    byFile = new Map();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const name = d.file?.fileName;
      if (name === undefined || !name.startsWith(dir)) general.push(d);
      else byFile.set(name, [...(byFile.get(name) ?? []), d]);
    }
  }

  function describe(d: ts.Diagnostic, e: ReadmeExample | undefined): string {
    const text = `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    if (d.file === undefined || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const source = d.file.text.split("\n")[line] ?? "";
    let where = `${d.file.fileName}:${line + 1}:${character + 1}`;
    if (e !== undefined) {
      const codeLine = line - prelude.length;
      where = codeLine < 0 ? `declarations line ${line + 1}` : `README.md:${e.line + codeLine}:${character + 1}`;
    }
    return `${where} ${text}\n    ${source.trim()}`;
  }

  return {
    examples,
    summaries,
    compile,
    errors(e) {
      if (dir === undefined) throw new Error("compile() has not run");
      return [...general.map((d) => describe(d, undefined)), ...(byFile.get(fileOf(e)) ?? []).map((d) => describe(d, e))];
    },
    cleanup() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
