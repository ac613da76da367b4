/** The operator tenant of the local host when RJ_OPERATOR_TENANT_ID is not set (dev identity provider only). */
export const DEV_OPERATOR_TENANT_ID = "99999999-9999-4999-8999-999999999999";
