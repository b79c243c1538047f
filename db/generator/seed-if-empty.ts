/** Placeholder until the data generator lands (issue 2, point 4). */
export async function seedIfEmpty(_sourceDatabaseUrl: string): Promise<void> {
  console.log('[nightshift] data generator not built yet; source tables left as they are');
}
