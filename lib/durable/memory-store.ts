import type { HistoryEventShape } from "./df-internals.js";
import { isTerminal, type DurableStore, type EpisodeCommit, type InboxMessage, type InstanceMeta, type InstanceSnapshot } from "./store.js";

interface Entry {
  meta: string;
  etag: number;
  history: string[];
  messages: Map<string, string>;
}

/** In-memory DurableStore for unit tests; keeps JSON copies so callers never share objects with it. */
export class MemoryDurableStore implements DurableStore {
  private readonly entries = new Map<string, Entry>();
  private etagCounter = 0;

  async create(meta: InstanceMeta): Promise<"created" | "exists"> {
    const existing = this.entries.get(meta.instanceId);
    if (existing !== undefined && !isTerminal((JSON.parse(existing.meta) as InstanceMeta).runtimeStatus)) return "exists";
    this.entries.set(meta.instanceId, { meta: JSON.stringify(meta), etag: ++this.etagCounter, history: [], messages: new Map() });
    return "created";
  }

  async getMeta(instanceId: string): Promise<{ meta: InstanceMeta; etag: string } | undefined> {
    const entry = this.entries.get(instanceId);
    if (entry === undefined) return undefined;
    return { meta: JSON.parse(entry.meta) as InstanceMeta, etag: String(entry.etag) };
  }

  async load(instanceId: string): Promise<InstanceSnapshot | undefined> {
    const entry = this.entries.get(instanceId);
    if (entry === undefined) return undefined;
    return {
      meta: JSON.parse(entry.meta) as InstanceMeta,
      etag: String(entry.etag),
      history: entry.history.map((e) => JSON.parse(e) as HistoryEventShape),
      messages: [...entry.messages.values()].map((m) => JSON.parse(m) as InboxMessage),
    };
  }

  async addMessage(instanceId: string, message: InboxMessage): Promise<"added" | "duplicate" | "absent"> {
    const entry = this.entries.get(instanceId);
    if (entry === undefined) return "absent";
    if (entry.messages.has(message.key)) return "duplicate";
    entry.messages.set(message.key, JSON.stringify(message));
    return "added";
  }

  async commit(instanceId: string, etag: string, episode: EpisodeCommit): Promise<"committed" | "conflict"> {
    const entry = this.entries.get(instanceId);
    if (entry === undefined || String(entry.etag) !== etag || entry.history.length !== episode.baseLength) return "conflict";
    for (const key of episode.consumed) if (!entry.messages.has(key)) return "conflict";
    entry.meta = JSON.stringify(episode.meta);
    entry.etag = ++this.etagCounter;
    if (episode.newExecution) entry.history = [];
    entry.history.push(...episode.append.map((e) => JSON.stringify(e)));
    for (const key of episode.consumed) entry.messages.delete(key);
    return "committed";
  }

  async listUnfinished(): Promise<string[]> {
    return [...this.entries.entries()]
      .filter(([, e]) => !isTerminal((JSON.parse(e.meta) as InstanceMeta).runtimeStatus))
      .map(([id]) => id);
  }

  async purge(instanceId: string): Promise<boolean> {
    return this.entries.delete(instanceId);
  }
}
