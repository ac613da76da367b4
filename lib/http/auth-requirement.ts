/** What a route demands of its caller (API.md "Identities"). */
export type AuthRequirement =
  | "none"
  /** Device assertion required, user token optional. */
  | "device"
  /** Device assertion and user token, same realm. */
  | "device+user"
  | "user"
  | "admin"
  | "operator";
