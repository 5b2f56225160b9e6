import { parsePolicy, type Policy, type PolicyKind } from './parse-policy.js';

/**
 * Parsed policies by their text. Keyed by the text itself, so a changed policy is a new entry and
 * the cache is right on every node; bounded by clearing when full.
 */
export class PolicyCache {
  private readonly parsed = new Map<string, Policy>();

  constructor(private readonly maxEntries = 1000) {}

  get(text: string, kind: PolicyKind): Policy {
    const key = `${kind}\n${text}`;
    let policy = this.parsed.get(key);
    if (!policy) {
      policy = parsePolicy(text, kind);
      if (this.parsed.size >= this.maxEntries) this.parsed.clear();
      this.parsed.set(key, policy);
    }
    return policy;
  }
}
