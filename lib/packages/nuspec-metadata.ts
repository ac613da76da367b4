/** Where the agent installs a package: machine-wide (the default) or in the signed-in user's session. */
export type InstallContext = "system" | "user";

/** One dependency: a valid package id and its NuGet range, normalized ("[1.0.0, )"; "(, )" when the nuspec gave none). */
export interface NuspecDependency {
  readonly id: string;
  readonly range: string;
}

/** The dependencies of one target framework; targetFramework is undefined for a flat list or a group without one. */
export interface NuspecDependencyGroup {
  readonly targetFramework: string | undefined;
  readonly dependencies: readonly NuspecDependency[];
}

/** The validated metadata of a package's nuspec. */
export interface NuspecMetadata {
  readonly id: string;
  /** NuGet's normalized version ("1.0" -> "1.0.0"; build metadata dropped). */
  readonly version: string;
  /** The version as written in the nuspec. */
  readonly originalVersion: string;
  readonly title: string | undefined;
  readonly description: string;
  readonly authors: readonly string[];
  readonly tags: readonly string[];
  /** "user" when the tags hold `realmjoin:user`, else "system" (also said explicitly by `realmjoin:system`). */
  readonly installContext: InstallContext;
  /** A flat `<dependencies>` list becomes one group with targetFramework undefined; no dependencies: []. */
  readonly dependencyGroups: readonly NuspecDependencyGroup[];
}
