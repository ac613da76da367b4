/** Where an upload session stands: bytes expected, being checked, in the catalogue, or refused (problem says why). */
export type UploadStatus = "pending" | "processing" | "published" | "refused";

/** What a published session produced. */
export interface UploadOutcome {
  packageId: string;
  version: string;
  sha256: string;
  size: number;
  /** False when the same bytes were already published under that id and version. */
  created: boolean;
}

/** One upload session: a staging blob the client writes to through a SAS, then hands over for publishing. */
export interface UploadSession {
  realmId: string;
  /** A random UUID (lower case). */
  uploadId: string;
  status: UploadStatus;
  /** The blob the client's SAS may write: `uploads/<uploadId>` in the package container. */
  blobName: string;
  createdAt: string;
  updatedAt: string;
  /** When the SAS ends; a session still pending later is removed by reconciliation. */
  expiresAt: string;
  /** The admin asked to publish even when required packages would become undeliverable. */
  force: boolean;
  outcome?: UploadOutcome;
  /** Why the session was refused, as problem+json would say it. */
  problem?: UploadProblem;
}

/** A refusal as problem+json (RFC 9457) members: the same body the synchronous route would have answered. */
export interface UploadProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** The prefix of session blobs in the package container (never a content address, never `staging/`). */
export const UPLOAD_BLOB_PREFIX = "uploads/";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for an upload id this back-end could have issued (a lower-case UUID). */
export const isUploadId = (value: string): boolean => UUID.test(value);

export const uploadBlobName = (uploadId: string): string => `${UPLOAD_BLOB_PREFIX}${uploadId}`;
