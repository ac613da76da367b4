import { isAppError } from "../core/errors.js";
import { allVersions, parseRange, toNormalizedRangeString } from "./nuget-range.js";
import type { NuspecDependency, NuspecDependencyGroup } from "./nuspec-metadata.js";
import { all, attributeOf, invalidNuspec, only, type XmlNode } from "./nuspec-xml.js";
import { packageIdsEqual, validatePackageId } from "./package-id.js";

/** Caps that keep one nuspec's dependency lists small enough to resolve and sign. */
export const MAX_DEPENDENCY_GROUPS = 100;
export const MAX_DEPENDENCIES = 1000;
const MAX_FRAMEWORK_LENGTH = 100;

function rethrowAs(field: string, error: unknown): never {
  if (isAppError(error)) throw invalidNuspec(field, error.message);
  throw error;
}

function dependencyOf(node: XmlNode, field: string, packageId: string): NuspecDependency {
  const rawId = attributeOf(node, "id", field)?.trim();
  if (rawId === undefined || rawId.length === 0) throw invalidNuspec(field, "the id attribute is required");
  let id: string;
  try {
    id = validatePackageId(rawId);
  } catch (error) {
    rethrowAs(`${field} id`, error);
  }
  if (packageIdsEqual(id, packageId)) throw invalidNuspec(field, `the package cannot depend on itself (${id})`);
  const rawRange = attributeOf(node, "version", field)?.trim();
  if (rawRange === undefined || rawRange.length === 0) return { id, range: toNormalizedRangeString(allVersions) };
  try {
    return { id, range: toNormalizedRangeString(parseRange(rawRange)) };
  } catch (error) {
    rethrowAs(`${field} version`, error);
  }
}

function dependenciesOf(parent: XmlNode, field: string, packageId: string): NuspecDependency[] {
  const list = all(parent, "dependency").map((node, i) => dependencyOf(node, `${field} dependency[${i}]`, packageId));
  const seen = new Set<string>();
  for (const dependency of list) {
    const key = dependency.id.toLowerCase();
    if (seen.has(key)) throw invalidNuspec(field, `${dependency.id} is listed more than once`);
    seen.add(key);
  }
  return list;
}

function frameworkOf(group: XmlNode, field: string): string | undefined {
  const framework = attributeOf(group, "targetFramework", field)?.trim();
  if (framework === undefined || framework.length === 0) return undefined;
  if (framework.length > MAX_FRAMEWORK_LENGTH || !/^[\p{L}\p{N}.+\-_,= ]+$/u.test(framework)) {
    throw invalidNuspec(`${field} targetFramework`, `"${framework.slice(0, MAX_FRAMEWORK_LENGTH)}" is not a target framework name`);
  }
  return framework;
}

/**
 * The dependency groups of `<metadata>`: [] without `<dependencies>`, one untargeted group for a flat list, one
 * per `<group>` otherwise. Throws invalid-nuspec (naming the dependency) for a bad id or range, a duplicate, a
 * self-dependency, flat and grouped entries mixed, a repeated framework, or too many entries.
 */
export function parseDependencyGroups(metadata: XmlNode, packageId: string): NuspecDependencyGroup[] {
  const node = only(metadata, "dependencies", "dependencies");
  if (node === undefined) return [];
  const groups = all(node, "group");
  const flat = all(node, "dependency");
  if (groups.length > 0 && flat.length > 0) {
    throw invalidNuspec("dependencies", "mixes <dependency> and <group> elements; put every dependency in a group");
  }
  if (groups.length > MAX_DEPENDENCY_GROUPS) throw invalidNuspec("dependencies", `has ${groups.length} groups; the maximum is ${MAX_DEPENDENCY_GROUPS}`);
  const result: NuspecDependencyGroup[] =
    groups.length === 0
      ? flat.length === 0
        ? []
        : [{ targetFramework: undefined, dependencies: dependenciesOf(node, "dependencies", packageId) }]
      : groups.map((group, i) => {
          const field = `dependencies group[${i}]`;
          return { targetFramework: frameworkOf(group, field), dependencies: dependenciesOf(group, field, packageId) };
        });
  const frameworks = new Set<string>();
  let total = 0;
  for (const group of result) {
    const key = (group.targetFramework ?? "").toLowerCase();
    if (frameworks.has(key)) throw invalidNuspec("dependencies", `more than one group for target framework "${group.targetFramework ?? "(any)"}"`);
    frameworks.add(key);
    total += group.dependencies.length;
  }
  if (total > MAX_DEPENDENCIES) throw invalidNuspec("dependencies", `has ${total} dependencies; the maximum is ${MAX_DEPENDENCIES}`);
  return result;
}
