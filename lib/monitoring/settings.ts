/** Monitoring settings derived from the environment, shared by the runtime wiring and the pipeline's guard. */
import { env, selfUrl } from '@/lib/env';

/** Where task links in alerts point: ALERT_LINK_BASE_URL, else this server. */
export function alertLinkBaseUrl(): string {
  return env().ALERT_LINK_BASE_URL ?? selfUrl();
}
