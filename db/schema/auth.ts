/** Users, sessions, API tokens and the audit log (issue 3). */
export {};
