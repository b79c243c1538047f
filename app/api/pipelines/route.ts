/** GET /api/pipelines — every registered pipeline version with its steps (lib/platform/pipelines-api.ts). */
import { withRole } from '@/lib/auth';
import { describePipelines } from '@/lib/platform/pipelines-api';
import { pipelineModules } from '@/lib/runtime/registry';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async () => Response.json(describePipelines(pipelineModules())));
