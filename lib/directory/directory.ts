/** A directory user as the back-end needs it: identity, signature fields and password state. */
export interface DirectoryUser {
  /** Entra object id (GUID). */
  id: string;
  userPrincipalName: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  jobTitle?: string;
  department?: string;
  companyName?: string;
  officeLocation?: string;
  businessPhones: string[];
  mobilePhone?: string;
  mail?: string;
  streetAddress?: string;
  city?: string;
  postalCode?: string;
  country?: string;
  /** ISO 8601 instant of the last password change; absent when the directory does not know it. */
  lastPasswordChangeDateTime?: string;
  /** Entra's comma-separated policy list, e.g. "DisablePasswordExpiration". */
  passwordPolicies?: string;
}

/** One entry of a device object's `alternativeSecurityIds` (Graph `alternativeSecurityId`). */
export interface AlternativeSecurityId {
  /** 2 for the X509 thumbprint/public-key form written by Entra join. */
  type: number;
  identityProvider?: string;
  /** Base64 of the binary key, as Graph returns Edm.Binary. */
  key: string;
}

/** Profile lookup. */
export interface UserDirectory {
  /** Returns the user by object id or UPN, or undefined when the directory has no such user. Throws AppError "upstream" when the directory fails. */
  getUser(realmId: string, userIdOrUpn: string): Promise<DirectoryUser | undefined>;
}

/** A directory group as lists and checks need it. */
export interface DirectoryGroup {
  /** Entra object id (GUID), or the local directory's id. */
  id: string;
  displayName?: string;
}

/** Group lookup. */
export interface GroupDirectory {
  /** Returns the group by object id, or undefined when the directory has no such group. Throws AppError "upstream" when the directory fails. */
  getGroup(realmId: string, groupId: string): Promise<DirectoryGroup | undefined>;
}

/** Transitive group membership of users and devices (group object ids). */
export interface GroupMembership {
  /** Returns the ids of every group the user belongs to, directly or through nested groups; [] when the user is absent. Throws AppError "upstream". */
  transitiveGroupIds(realmId: string, userId: string): Promise<string[]>;
  /** Returns the group ids of the device with this Entra deviceId (not its object id); [] when the device is absent. Throws AppError "upstream". */
  deviceGroupIds(realmId: string, deviceId: string): Promise<string[]>;
  /** Forgets cached memberships of one user or device (or of the whole realm when subjectId is omitted), so the next read asks the directory. Never throws. */
  refresh(realmId: string, subjectId?: string): void;
}

/** Domain password policy. */
export interface PasswordPolicySource {
  /** Returns the domain's password validity in days: 90 when the directory sets none or does not know the domain; 2147483647 means never. Throws AppError "upstream". */
  passwordValidityDays(realmId: string, domain: string): Promise<number>;
}

/** Whether a BitLocker recovery key was escrowed for a device (metadata only, never the key). */
export interface BitLockerEscrowCheck {
  /** Returns true when at least one recovery key is recorded for the Entra deviceId; false when none or the device is absent. Throws AppError "upstream". */
  bitlockerKeyExists(realmId: string, deviceId: string): Promise<boolean>;
}

/** The device object's certificate bindings, used to trust a device certificate. */
export interface DeviceCertificateTrust {
  /** Returns the device's alternativeSecurityIds ([] when it has none), or undefined when the device is absent. Throws AppError "upstream". */
  deviceAlternativeSecurityIds(realmId: string, deviceId: string): Promise<AlternativeSecurityId[] | undefined>;
}

/** Everything the back-end reads from a realm's directory (Graph or the local directory). */
export interface Directory
  extends UserDirectory,
    GroupDirectory,
    GroupMembership,
    PasswordPolicySource,
    BitLockerEscrowCheck,
    DeviceCertificateTrust {}

/** Entra's default password validity when the domain sets none. */
export const DEFAULT_PASSWORD_VALIDITY_DAYS = 90;

/** Entra's value of passwordValidityPeriodInDays meaning "passwords never expire". */
export const NEVER_EXPIRES_DAYS = 2147483647;
