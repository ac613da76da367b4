import { randomUUID } from "node:crypto";

/** How a test agent reaches the back-end: as the device (optionally with its user's token), or anonymously (the dev Entra route). */
export interface AgentTransport {
  deviceId: string;
  tenantId: string;
  asDevice(path: string, init?: { method?: string; body?: unknown; user?: boolean }): Promise<Response>;
  anonymous(path: string, init: { method: string; body: unknown }): Promise<Response>;
}

export interface StepView {
  id: string;
  kind: string;
  publication: number;
  name?: string;
  mode?: string;
  packageId?: string;
  version?: string;
  installContext?: string;
}

export interface RunView {
  runId: string;
  status: "running" | "succeeded" | "failed";
  phase: "system" | "user";
  step: StepView | null;
  failure?: { reason: string; stepId?: string; detail?: string };
}

export interface StepAnswer {
  outcome: "succeeded" | "failed";
  detail?: string;
  data?: Record<string, unknown>;
}

export interface AgentScript {
  failChecks?: string[];
  failInstalls?: string[];
  /** Never escrows the key to (dev) Entra ID. */
  noEscrow?: boolean;
  /** Not joined to Entra ID: sends the recovery key with the answer. */
  notJoined?: boolean;
  /** Stops answering at the first step of this kind. */
  silentAt?: string;
  /** Pause between polls (ms). */
  pollMs?: number;
}

/** A minimal agent: polls GET /onboarding, does each step, posts the answer (the same answer again for a re-published step). */
export class TestAgent {
  readonly answered: { stepId: string; kind: string; body: StepAnswer }[] = [];
  /** Every step the agent saw, once each, in order. */
  readonly steps: StepView[] = [];
  readonly recoveryKey = Array.from({ length: 8 }, (_, i) => String((i + 1) * 11 * 1000 + 11).padStart(6, "0")).join("-");
  private sequence = 1;
  private bootId = randomUUID();
  private readonly answers = new Map<string, StepAnswer>();

  constructor(
    readonly transport: AgentTransport,
    /** What the agent does; a test may change it between runs. */
    public script: AgentScript = {},
  ) {}

  /** Sends a state report (the first one after enroll, and the new boot at restart). */
  async report(overrides: Record<string, unknown> = {}): Promise<void> {
    const res = await this.transport.asDevice("/api/agent/v1/state", {
      method: "POST",
      body: {
        sequence: this.sequence++,
        reportedAt: new Date().toISOString(),
        agentVersion: "4.2.1",
        channel: "stable",
        installed: [],
        security: { updates: "ok", encryption: "ok", firewall: "ok", antivirus: "ok" },
        tpm: { present: true, ready: true },
        network: { gatewayMac: "00:11:22:33:44:55", fingerprint: "hq" },
        bootId: this.bootId,
        ...overrides,
      },
    });
    if (res.status !== 202) throw new Error(`state report answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer().catch(() => undefined);
  }

  async poll(): Promise<RunView> {
    const res = await this.transport.asDevice("/api/agent/v1/onboarding");
    if (res.status !== 200) throw new Error(`GET /onboarding answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as RunView;
  }

  async post(runId: string, stepId: string, body: StepAnswer, user: boolean): Promise<Response> {
    return await this.transport.asDevice(`/api/agent/v1/onboarding/${encodeURIComponent(runId)}/steps/${encodeURIComponent(stepId)}`, { method: "POST", body, user });
  }

  /** Follows the run until it ends (or the agent goes silent and the run ends without it); rejects after `timeoutMs`. */
  async run(timeoutMs = 20_000): Promise<RunView> {
    return await this.follow(undefined, timeoutMs);
  }

  /** Follows the run until `stepId` is the current step, and returns without answering it. */
  async runUntil(stepId: string, timeoutMs = 20_000): Promise<RunView> {
    return await this.follow(stepId, timeoutMs);
  }

  private async follow(untilStep: string | undefined, timeoutMs: number): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    const posted = new Set<string>();
    let silent = false;
    while (Date.now() < deadline) {
      const view = await this.poll();
      if (view.status !== "running") return view;
      const step = view.step;
      if (step !== null && !silent) {
        if (this.steps.at(-1)?.id !== step.id) this.steps.push(step);
        if (step.id === untilStep) return view;
        if (this.script.silentAt === step.kind) silent = true;
        const key = `${view.runId}|${step.id}|${step.publication}`;
        if (!silent && !posted.has(key)) {
          posted.add(key);
          const answerKey = `${view.runId}|${step.id}`;
          let body = this.answers.get(answerKey);
          if (body === undefined) {
            body = await this.act(step);
            this.answers.set(answerKey, body);
            this.answered.push({ stepId: step.id, kind: step.kind, body });
          }
          const user = view.phase === "user" || step.kind === "confirm-user" || step.kind === "second-identity";
          const res = await this.post(view.runId, step.id, body, user);
          if (res.status !== 202 && res.status !== 409) throw new Error(`POST step ${step.id} answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer().catch(() => undefined);
          continue;
        }
      }
      await new Promise((r) => setTimeout(r, this.script.pollMs ?? 25));
    }
    throw new Error(`the run of ${this.transport.deviceId} did not end within ${timeoutMs} ms (at ${this.steps.at(-1)?.id ?? "nothing"})`);
  }

  /** The ids of the steps seen. */
  get seen(): string[] {
    return this.steps.map((s) => s.id);
  }

  private async act(step: StepView): Promise<StepAnswer> {
    switch (step.kind) {
      case "check":
        return (this.script.failChecks ?? []).includes(step.name ?? "") ? { outcome: "failed", detail: `${step.name ?? "?"} is not compliant` } : { outcome: "succeeded" };
      case "bitlocker": {
        const keyId = randomUUID();
        const protectorId = `{${randomUUID()}}`;
        if (this.script.notJoined === true) return { outcome: "succeeded", data: { protectorId, keyId, joinedToEntra: false, recoveryKey: this.recoveryKey } };
        if (this.script.noEscrow !== true) {
          const res = await this.transport.anonymous("/api/dev/entra/bitlocker-keys", { method: "POST", body: { deviceId: this.transport.deviceId, keyId, tenantId: this.transport.tenantId } });
          if (res.status !== 201) throw new Error(`dev escrow answered ${res.status}`);
          await res.arrayBuffer();
        }
        return { outcome: "succeeded", data: { protectorId, keyId, joinedToEntra: true } };
      }
      case "install":
        return (this.script.failInstalls ?? []).includes(step.packageId ?? "")
          ? { outcome: "failed", detail: "exit code 1603" }
          : { outcome: "succeeded", data: step.version === undefined ? {} : { version: step.version } };
      case "restart":
        this.bootId = randomUUID();
        await this.report();
        return { outcome: "succeeded", data: { bootId: this.bootId } };
      case "confirm-user":
        return { outcome: "succeeded" };
      case "second-identity":
        return { outcome: "succeeded", data: { accountName: "CONTOSO\\adele" } };
      default:
        return { outcome: "failed", detail: `unknown step kind ${step.kind}` };
    }
  }
}
