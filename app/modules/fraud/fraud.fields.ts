/**
 * Field names shared by forms and the server, without server code: the sign form's hidden fields
 * (a honeypot only bots touch, a stamp that times the form) and the invalidation form's criteria.
 */

/** The honeypot: hidden from people and screen readers, so only a bot fills it in. */
export const HONEYPOT_FIELD = "website";

/** When the form was rendered, signed by the server: "<ms since epoch>.<hmac>". */
export const FORM_STAMP_FIELD = "formStamp";

/** The criteria fields of the admin's invalidation form. */
export const INVALIDATION_FIELDS = ["ipRange", "emailDomain", "from", "to"] as const;
