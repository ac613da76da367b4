import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";

/**
 * Returns the named text files of `dir`, creating them with `create` when the folder does not hold them yet.
 * Creation goes through a temporary sibling folder renamed into place, so two processes starting together
 * end up with one set of files. Throws when the files cannot be read or written.
 */
export async function loadOrCreateFiles<K extends string>(
  dir: string,
  names: readonly K[],
  create: () => Promise<Record<K, string>>,
): Promise<Record<K, string>> {
  const existing = await readAll(dir, names);
  if (existing !== undefined) return existing;
  await mkdir(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${randomUUID()}`;
  await mkdir(tmp, { recursive: true });
  try {
    const files = await create();
    for (const name of names) await writeFile(join(tmp, name), files[name], { mode: 0o600 });
    try {
      await rename(tmp, dir);
      return files;
    } catch {
      // Another process won the race (or an empty folder is in the way): use what is there.
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const winner = await readAll(dir, names);
  if (winner === undefined) throw new Error(`${dir} exists but does not hold ${names.join(", ")}`);
  return winner;
}

async function readAll<K extends string>(dir: string, names: readonly K[]): Promise<Record<K, string> | undefined> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    try {
      out[name] = await readFile(join(dir, name), "utf8");
    } catch (e) {
      if (typeof e === "object" && e !== null && "code" in e && e.code === "ENOENT") return undefined;
      throw e;
    }
  }
  return out;
}
