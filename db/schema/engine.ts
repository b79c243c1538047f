/** Workflow engine tables (issue 4). */
export {};
