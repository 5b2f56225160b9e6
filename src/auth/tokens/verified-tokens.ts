/**
 * Claims of tokens and passwords already verified, by their exact text: a request with the same
 * credentials skips the MAC and the parse. Claims never change once issued, so this is right on
 * every node; expiry is still checked on every use. Bounded: it empties when full.
 */
export class VerifiedTokens<C extends { readonly expiresAt: number }> {
  private readonly claims = new Map<string, C>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The claims of `token` via `verify` (cached), or undefined when invalid or expired at `now`. */
  get(token: string, now: number, verify: (token: string) => C | undefined): C | undefined {
    let claims = this.claims.get(token);
    if (!claims) {
      claims = verify(token);
      if (!claims) return undefined;
      if (this.claims.size >= this.maxEntries) this.claims.clear();
      this.claims.set(token, claims);
    }
    return claims.expiresAt > now ? claims : undefined;
  }
}
