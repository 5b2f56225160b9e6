/** A request as SigV4 sees it: built by the HTTP layer, never a framework object. */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent, percent-encoding intact, without the query. */
  readonly path: string;
  /** The query string as sent, without the '?'. */
  readonly query: string;
  /** Header values by lower-case name, in arrival order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** Hex SHA-256 of the body. */
  readonly bodySha256: string;
}

/** The SigV4 parameters of a request, from its Authorization header or its query string. */
export interface SigV4Parameters {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** X-Amz-Date: YYYYMMDD'T'HHMMSS'Z'. */
  readonly amzDate: string;
  /** Seconds a presigned (query) request stays valid. */
  readonly expiresSeconds: number | undefined;
}

export function headerValue(request: SignedRequest, name: string): string | undefined {
  return request.headers.get(name)?.[0];
}
