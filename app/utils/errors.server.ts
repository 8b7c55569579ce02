/** Domain errors carry a code; one place (httpStatusFor) maps codes to HTTP. */
export const APP_ERROR_CODES = {
  NOT_FOUND: 404,
  CAMPAIGN_NOT_OPEN: 409,
  INVALID_INPUT: 400,
  TOKEN_INVALID: 404,
  TOKEN_EXPIRED: 410,
  RATE_LIMITED: 429,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 400,
  EMAIL_NOT_CONFIRMED: 403,
  ACCOUNT_DISABLED: 403,
  CONFLICT: 409,
  LAST_OWNER: 409,
  SELF_CHANGE: 409,
  REDIS_UNAVAILABLE: 503,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string = code,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function httpStatusFor(code: AppErrorCode): number {
  return APP_ERROR_CODES[code];
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
