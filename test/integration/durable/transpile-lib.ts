import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";

const DURABLE_SOURCES = ["lib/durable", "lib/core"];

/**
 * Transpiles lib/durable, lib/core and the given extra files into `outDir`, keeping the
 * repository layout, so a child process runs the current sources (no prior build needed).
 */
export function transpileDurableLib(repoRoot: string, outDir: string, extraFiles: string[] = []): void {
  const files = [
    ...DURABLE_SOURCES.flatMap((folder) => readdirSync(join(repoRoot, folder)).filter((f) => f.endsWith(".ts")).map((f) => `${folder}/${f}`)),
    ...extraFiles,
  ];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(repoRoot, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const target = join(outDir, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
}
