import type { DocumentSigner, RealmKeyRing, Signer } from "../../lib/signing/index.js";

/** Counts of the document signer since install. */
export interface SigningCounts {
  /** signDocument calls (every full config or manifest answer). */
  requests: number;
  /** Actual private-key signatures. */
  signatures: number;
}

/**
 * Wraps, on these instances only, the key ring's currentSigner (so every Signer.sign is counted) and the document
 * signer's signDocument; returns live counts. Benchmark instrumentation: the wrapped behaviour is unchanged.
 */
export function countSignings(keyRing: RealmKeyRing, documents: DocumentSigner): { counts(): SigningCounts; reset(): void } {
  let requests = 0;
  let signatures = 0;
  const currentSigner = keyRing.currentSigner.bind(keyRing);
  keyRing.currentSigner = async (realmId: string): Promise<Signer> => {
    const signer = await currentSigner(realmId);
    return {
      kid: signer.kid,
      algorithm: signer.algorithm,
      sign: (input: Uint8Array) => {
        signatures++;
        return signer.sign(input);
      },
      publicJwk: () => signer.publicJwk(),
    };
  };
  const signDocument = documents.signDocument.bind(documents);
  documents.signDocument = (input) => {
    requests++;
    return signDocument(input);
  };
  return {
    counts: () => ({ requests, signatures }),
    reset: () => {
      requests = 0;
      signatures = 0;
    },
  };
}
