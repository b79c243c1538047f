/**
 * A refusal whose message is meant for the person who asked. `authorizedAction` turns it into the form's
 * message and `withRole` into a JSON error with its status; any other error stays a 500.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422 = 400,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
