/**
 * A refusal whose message is meant for the person who asked. `authorizedAction` turns it into the form's
 * message and `withRole` into a JSON error with its status; any other error stays a 500.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422 = 400,
    /** Field paths and what is wrong with each (a JSON body's `issues`, as `badRequest` answers). */
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
