/**
 * A service's refusal as an API answer: the error body every /api/v1 route returns, and the HTTP
 * status of each refusal code the services raise (FleetInputError, LoadActionError,
 * NegotiationError all use these three codes).
 */

/** `{ error: { code, message } }`. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** invalid input → 422, nothing there → 404, not possible in this state → 409. */
export const REFUSAL_STATUS = { invalid: 422, not_found: 404, conflict: 409 } as const;

export type RefusalCode = keyof typeof REFUSAL_STATUS;

/**
 * A function that turns an error of `kind` into `{ status, body }` for the route to return, and
 * rethrows anything else (a bug is a 500, not a refusal).
 */
export function refusalOf(kind: abstract new (...args: never[]) => { code: RefusalCode; message: string }) {
  return (error: unknown) => {
    if (!(error instanceof kind)) throw error;
    return { status: REFUSAL_STATUS[error.code], body: errorBody(error.code, error.message) };
  };
}
