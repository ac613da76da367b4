import tls from "node:tls";

let trusted: string[] = [];
let original: typeof tls.createSecureContext | undefined;

/**
 * Makes this process's TLS clients (Azure SDKs, fetch) trust a test CA besides the system roots: what
 * NODE_EXTRA_CA_CERTS does, which Node reads only when a process starts. Returns the undo.
 */
export function trustTestCa(certPem: string): () => void {
  trusted = [...trusted, certPem];
  if (original === undefined) {
    const base = tls.createSecureContext;
    original = base;
    tls.createSecureContext = (options) => {
      const context = base(options);
      if (options?.ca === undefined) {
        const native = context.context as { addCACert(pem: string): void };
        for (const pem of trusted) native.addCACert(pem);
      }
      return context;
    };
  }
  return () => {
    trusted = trusted.filter((p) => p !== certPem);
    if (trusted.length === 0 && original !== undefined) {
      tls.createSecureContext = original;
      original = undefined;
    }
  };
}
