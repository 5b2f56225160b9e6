/** Who makes a request: the account root, an IAM-style user, or nobody (no credentials). */
export type Principal =
  | { readonly kind: 'root'; readonly accountId: string; readonly arn: string; readonly userId: string }
  | { readonly kind: 'user'; readonly accountId: string; readonly arn: string; readonly userId: string; readonly userName: string; readonly id: number }
  | { readonly kind: 'anonymous' };

export function rootPrincipal(accountId: string): Principal {
  return { kind: 'root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId };
}

export function userPrincipal(accountId: string, user: { id: number; name: string; user_id: string; path: string }): Principal {
  return { kind: 'user', accountId, arn: `arn:aws:iam::${accountId}:user${user.path}${user.name}`, userId: user.user_id, userName: user.name, id: user.id };
}

export const ANONYMOUS: Principal = { kind: 'anonymous' };
