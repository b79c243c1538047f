/** The lint rule against `as unknown as` (eslint.config.mjs): it fires in product code and not in tests; `npm run lint` applies it to the tree. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './import-graph';

const DOUBLE_CAST = "export const n = ('1' as unknown as number) + 1;\n";
const RULE = 'no-restricted-syntax';

async function ruleHits(filePath: string, text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(text, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === RULE).map((message) => message.message);
}

describe('no `as unknown as` outside tests', () => {
  it('is reported in product code', async () => {
    expect(await ruleHits('lib/example.ts', DOUBLE_CAST)).toEqual([expect.stringContaining('No `as unknown as` outside tests')]);
    expect(await ruleHits('app/example/page.tsx', DOUBLE_CAST)).toHaveLength(1);
  });

  it('is allowed in tests and a single cast is not reported', async () => {
    expect(await ruleHits('lib/example.test.ts', DOUBLE_CAST)).toEqual([]);
    expect(await ruleHits('e2e/example.spec.ts', DOUBLE_CAST)).toEqual([]);
    expect(await ruleHits('lib/example.ts', "export const n = ('1' as string).length;\n")).toEqual([]);
  });

});
