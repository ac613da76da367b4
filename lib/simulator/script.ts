import type { CheckName, StepKind } from "./api-types.js";

/** Scripted behaviour of one simulated device; every field optional (a healthy physical machine). */
export interface Script {
  /** Checks whose result is "failed" (`--fail-check firewall`). */
  failChecks?: readonly CheckName[];
  /** Package ids whose install fails (`--fail-install <id>`). */
  failInstalls?: readonly string[];
  /** The BitLocker recovery key never reaches Entra ID (`--no-escrow`). */
  noEscrow?: boolean;
  /** The agent stops answering (goes dark) when it reaches a step of this kind (`--silent-at <kind>`). */
  silentAt?: StepKind;
  /** A virtual machine (`--vm`). */
  virtualMachine?: boolean;
  /** Default: present and ready. */
  tpm?: { present: boolean; ready: boolean };
  /** `realmjoin:install:{id}` links the user clicks after the initial run (`--install-link <id>`). */
  installLinks?: readonly string[];
}

/** How the initial run of a device should end given its script and what it met on the way. */
export type Expectation =
  | { status: "succeeded" }
  | { status: "failed"; because: string; reasonIncludes?: string }
  | { status: "silent"; at: string };

/** How a device's initial run ended, from the agent's point of view. */
export type FinalStatus = "succeeded" | "failed" | "silent" | "timeout" | "error";

/** Whether the final status (and failure reason, when failed) is what the expectation predicts. */
export function meetsExpectation(expectation: Expectation, status: FinalStatus, reason: string | undefined): boolean {
  if (expectation.status !== status) return false;
  if (expectation.status === "failed" && expectation.reasonIncludes !== undefined) {
    return (reason ?? "").toLowerCase().includes(expectation.reasonIncludes.toLowerCase());
  }
  return true;
}

/** The earlier of two expectations wins: once a scripted failure happened, a later one cannot change the outcome. */
export function expectFailure(current: Expectation, because: string, reasonIncludes?: string): Expectation {
  if (current.status !== "succeeded") return current;
  return reasonIncludes === undefined ? { status: "failed", because } : { status: "failed", because, reasonIncludes };
}

/** The script for device `index` when only the first `scriptedDevices` run it (the others are healthy); all of them when undefined. */
export function scriptForIndex(script: Script, scriptedDevices: number | undefined): (index: number) => Script {
  return (index) => (scriptedDevices === undefined || index < scriptedDevices ? script : {});
}
