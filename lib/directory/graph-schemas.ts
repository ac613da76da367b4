import { z } from "zod";

// Graph returns null for unset properties; the schemas accept null and absence alike.
const text = z.string().nullish();

/** GET /users/{id}?$select=... */
export const graphUserSchema = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  displayName: text,
  givenName: text,
  surname: text,
  jobTitle: text,
  department: text,
  companyName: text,
  officeLocation: text,
  businessPhones: z.array(z.string()).nullish(),
  mobilePhone: text,
  mail: text,
  streetAddress: text,
  city: text,
  postalCode: text,
  country: text,
  lastPasswordChangeDateTime: text,
  passwordPolicies: text,
});

/** The fields requested with $select on every user read. */
export const GRAPH_USER_SELECT = Object.keys(graphUserSchema.shape);

/** A page of a collection whose items only need their id. */
export const graphIdPageSchema = z.object({
  value: z.array(z.object({ id: z.string().min(1) })),
  "@odata.nextLink": z.string().optional(),
});

/** GET /groups/{id}?$select=id,displayName */
export const graphGroupSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
});

/** GET /domains/{id} */
export const graphDomainSchema = z.object({
  id: z.string(),
  passwordValidityPeriodInDays: z.number().int().nullish(),
});

/** GET /devices?$filter=deviceId eq '...'&$select=id,deviceId,alternativeSecurityIds */
export const graphDevicePageSchema = z.object({
  value: z.array(
    z.object({
      id: z.string().min(1),
      deviceId: z.string().nullish(),
      alternativeSecurityIds: z
        .array(
          z.object({
            type: z.number().int(),
            identityProvider: z.string().nullish(),
            key: z.string(),
          }),
        )
        .nullish(),
    }),
  ),
});

/** GET /informationProtection/bitlocker/recoveryKeys?$filter=deviceId eq '...' (metadata, never the key). */
export const graphRecoveryKeyPageSchema = z.object({
  value: z.array(z.object({ id: z.string().min(1), deviceId: z.string().nullish() })),
  "@odata.nextLink": z.string().optional(),
});
