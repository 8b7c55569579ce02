/**
 * Hidden fields of the sign form that only bots touch or that time the form: shared by the form
 * component and the server, without server code.
 */

/** The honeypot: hidden from people and screen readers, so only a bot fills it in. */
export const HONEYPOT_FIELD = "website";

/** When the form was rendered, signed by the server: "<ms since epoch>.<hmac>". */
export const FORM_STAMP_FIELD = "formStamp";
