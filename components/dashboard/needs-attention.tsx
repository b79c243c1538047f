/**
 * "Needs attention today", the dashboard's first section: the shown run's recommendations by priority, then churn
 * risk and reorder with their CSV links, then the abnormal days (also marked on the revenue chart). Lists and
 * definition lists rather than tables, so a 390 px phone reads it without scrolling sideways. Every figure carries
 * its raw value in `data-value`, which the e2e spec compares with the run's executive summary.
 */
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import type { NeedsAttention } from '@/lib/dashboard';
import type { Priority, SummaryAnomaly } from '@/lib/dashboard/attention';
import { formatCount, formatMoney } from './format';

const PRIORITY_STYLES: Record<Priority, { label: string; className: string }> = {
  high: { label: 'High priority', className: 'border-status-failed bg-status-failed-tint text-status-failed' },
  medium: { label: 'Medium priority', className: 'border-status-retrying bg-status-retrying-tint text-status-retrying' },
  low: { label: 'Low priority', className: 'border-border-strong bg-surface-muted text-foreground' },
};

const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "Tuesday 3 Nov 2026: revenue $1,234 — 32% below a typical Tuesday ($1,815)". */
export function anomalyLabel(anomaly: SummaryAnomaly): string {
  const date = new Date(`${anomaly.day}T00:00:00Z`);
  const name = weekday.format(date);
  const format = anomaly.metric === 'revenue' ? formatMoney : formatCount;
  const direction = anomaly.value < anomaly.expected ? 'below' : 'above';
  const percent = anomaly.deviation_percent === null ? '' : `${Math.abs(Math.round(anomaly.deviation_percent))}% `;
  return `${name} ${dayMonth.format(date)}: ${anomaly.metric} ${format(anomaly.value)} — ${percent}${direction} a typical ${name} (${format(anomaly.expected)})`;
}

function Recommendations({ recommendations }: { recommendations: NeedsAttention['recommendations'] }) {
  if (recommendations.length === 0) {
    return <p className="text-foreground-muted">No recommendation: nothing in this run needs action.</p>;
  }
  return (
    <ol aria-label="Recommendations, most urgent first" className="flex flex-col gap-3" data-testid="attention-recommendations">
      {recommendations.map((recommendation, index) => {
        const style = PRIORITY_STYLES[recommendation.priority];
        return (
          <li key={`${recommendation.priority}-${index}`} data-priority={recommendation.priority}>
            <Card className="flex flex-col gap-2 p-4">
              <div className="flex flex-wrap items-center gap-2">
                <Badge className={style.className}>{style.label}</Badge>
                <h3 className="min-w-0 font-semibold break-words" data-testid="recommendation-title">
                  {recommendation.title}
                </h3>
              </div>
              <p className="text-sm break-words">{recommendation.reason}</p>
              <a className="self-start text-sm text-link underline break-words" href={recommendation.action_url} data-testid="recommendation-action">
                Act on “{recommendation.title}”
              </a>
            </Card>
          </li>
        );
      })}
    </ol>
  );
}

function Figure({ label, value, shown, testId }: { label: string; value: number; shown: string; testId: string }) {
  return (
    <div className="flex items-baseline justify-between gap-3 border-b border-border py-1">
      <dt className="text-sm">{label}</dt>
      <dd className="font-semibold tabular-nums" data-testid={testId} data-value={value}>
        {shown}
      </dd>
    </div>
  );
}

function ChurnCard({ churn, csv }: { churn: NeedsAttention['churn']; csv: string }) {
  return (
    <Card aria-labelledby="churn-heading" data-testid="attention-churn">
      <CardHeader>
        <CardTitle as="h3" id="churn-heading">
          Churn risk
        </CardTitle>
        <CardDescription>Customers with three or more orders, overdue by more than twice their usual interval (and 30 days).</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <dl>
          <Figure label="Customers at risk" value={churn.customersAtRisk} shown={formatCount(churn.customersAtRisk)} testId="churn-customers-at-risk" />
          <Figure label="Their lifetime value" value={churn.lifetimeValueAtRisk} shown={formatMoney(churn.lifetimeValueAtRisk)} testId="churn-lifetime-value" />
        </dl>
        <dl aria-label="Customers at risk by segment">
          {churn.bySegment.map(({ segment, customers }) => (
            <Figure key={segment} label={segment} value={customers} shown={formatCount(customers)} testId={`churn-segment-${segment}`} />
          ))}
        </dl>
        <a className="text-sm text-link underline" href={csv} download data-testid="churn-csv">
          Download the at-risk customers (CSV)
        </a>
      </CardContent>
    </Card>
  );
}

function ReorderCard({ reorder, csv }: { reorder: NeedsAttention['reorder']; csv: string }) {
  return (
    <Card aria-labelledby="reorder-heading" data-testid="attention-reorder">
      <CardHeader>
        <CardTitle as="h3" id="reorder-heading">
          Reorder
        </CardTitle>
        <CardDescription>Products whose stock runs out before the reorder rule&apos;s cover, most urgent first.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <dl>
          <Figure label="Products to reorder" value={reorder.count} shown={formatCount(reorder.count)} testId="reorder-count" />
        </dl>
        {reorder.products.length > 0 && (
          <ol aria-label="Most urgent products" className="flex flex-col gap-2 text-sm" data-testid="reorder-products">
            {reorder.products.map((product) => (
              <li key={product.product_id} data-product-id={product.product_id} className="flex flex-col">
                <span className="font-medium break-words">{product.name}</span>
                <span className="text-foreground-muted tabular-nums">
                  <span data-testid="reorder-stock" data-value={product.stock_on_hand}>{formatCount(product.stock_on_hand)} in stock</span>
                  {' · '}
                  <span data-testid="reorder-cover" data-value={product.days_of_cover}>{product.days_of_cover.toFixed(1)} days of cover</span>
                  {' · '}
                  <span data-testid="reorder-quantity" data-value={product.reorder_quantity}>order {formatCount(product.reorder_quantity)}</span>
                </span>
              </li>
            ))}
          </ol>
        )}
        <a className="text-sm text-link underline" href={csv} download data-testid="reorder-csv">
          Download the products to reorder (CSV)
        </a>
      </CardContent>
    </Card>
  );
}

function Anomalies({ anomalies }: { anomalies: NeedsAttention['anomalies'] }) {
  return (
    <Card aria-labelledby="anomalies-heading">
      <CardHeader>
        <CardTitle as="h3" id="anomalies-heading">
          Abnormal days
        </CardTitle>
        <CardDescription>Each day against the same weekday over the previous 8 weeks; revenue ones are marked on the revenue-per-day chart.</CardDescription>
      </CardHeader>
      <CardContent>
        {anomalies.length === 0 ? (
          <p className="text-foreground-muted">No day of this window was abnormal for its weekday.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-sm" data-testid="attention-anomalies">
            {anomalies.map((anomaly) => (
              <li key={`${anomaly.metric}-${anomaly.day}`} data-day={anomaly.day} data-metric={anomaly.metric} data-value={anomaly.value} className="break-words">
                {anomalyLabel(anomaly)}
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

export function NeedsAttentionSection({ attention }: { attention: NeedsAttention | null }) {
  return (
    <section aria-labelledby="attention-heading" className="flex flex-col gap-3" data-testid="needs-attention">
      <h2 id="attention-heading" className="text-lg font-semibold">
        Needs attention today
      </h2>
      {!attention ? (
        <p className="rounded-card border border-border bg-surface-muted p-3 text-sm" data-testid="attention-none">
          This snapshot has no executive summary (it was published before summaries were computed), so there are no
          recommendations, churn risk or reorder figures for it. The next run publishes them.
        </p>
      ) : (
        <>
          <Recommendations recommendations={attention.recommendations} />
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <ChurnCard churn={attention.churn} csv={attention.links.atRiskCustomersCsv} />
            <ReorderCard reorder={attention.reorder} csv={attention.links.productsToReorderCsv} />
          </div>
          <Anomalies anomalies={attention.anomalies} />
        </>
      )}
    </section>
  );
}
