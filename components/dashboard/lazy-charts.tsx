'use client';
/**
 * The dashboard's charts, loaded only when they come near the viewport. recharts is most of the page's
 * JavaScript, and parsing and running it on load blocked the main thread for seconds on a phone: the charts sit
 * below the key figures, so the page now ships a placeholder of the same size, and the chart module (./charts.tsx)
 * is fetched and drawn once its placeholder enters the viewport. The placeholder keeps the card's
 * height, so nothing moves when the chart arrives.
 */
import dynamic from 'next/dynamic';
import { useEffect, useRef, useState, type ComponentType } from 'react';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';

/** Card header + 16rem chart + the "Show the figures" line, as ./charts.tsx draws them. */
const CHART_CARD_MIN_HEIGHT = '24.5rem';

function ChartPlaceholder({ title }: { title: string }) {
  return (
    <Card style={{ minHeight: CHART_CARD_MIN_HEIGHT }} aria-busy="true">
      <CardHeader>
        <CardTitle as="h3">{title}</CardTitle>
      </CardHeader>
      <CardContent>
        <div className="h-64 w-full rounded-card bg-surface-muted" />
      </CardContent>
    </Card>
  );
}

function whenNear<P extends object>(title: string, Chart: ComponentType<P>) {
  function NearChart(props: P) {
    const anchor = useRef<HTMLDivElement>(null);
    const [near, setNear] = useState(false);
    useEffect(() => {
      const element = anchor.current;
      if (!element || near) return;
      const observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setNear(true);
      }, { rootMargin: '0px' });
      observer.observe(element);
      return () => observer.disconnect();
    }, [near]);
    return <div ref={anchor}>{near ? <Chart {...props} /> : <ChartPlaceholder title={title} />}</div>;
  }
  return NearChart;
}

const placeholder = (title: string) => {
  function Loading() {
    return <ChartPlaceholder title={title} />;
  }
  return Loading;
};

// One dynamic() call per chart, each with its import() inline: that is the form Next's compiler splits into chunks.
const titles = {
  segments: 'Customers and revenue by segment',
  ltv: 'Lifetime value distribution',
  daily: 'Revenue per day',
  products: 'Top 10 products by revenue',
  categories: 'Revenue by category',
  aov: 'Average order value by segment',
};
export const SegmentChart = whenNear(
  titles.segments,
  dynamic(() => import('./charts').then((charts) => charts.SegmentChart), { ssr: false, loading: placeholder(titles.segments) }),
);
export const LtvHistogram = whenNear(
  titles.ltv,
  dynamic(() => import('./charts').then((charts) => charts.LtvHistogram), { ssr: false, loading: placeholder(titles.ltv) }),
);
export const DailyRevenueChart = whenNear(
  titles.daily,
  dynamic(() => import('./charts').then((charts) => charts.DailyRevenueChart), { ssr: false, loading: placeholder(titles.daily) }),
);
export const TopProductsChart = whenNear(
  titles.products,
  dynamic(() => import('./charts').then((charts) => charts.TopProductsChart), { ssr: false, loading: placeholder(titles.products) }),
);
export const CategoryRevenueChart = whenNear(
  titles.categories,
  dynamic(() => import('./charts').then((charts) => charts.CategoryRevenueChart), { ssr: false, loading: placeholder(titles.categories) }),
);
export const AovBySegmentChart = whenNear(
  titles.aov,
  dynamic(() => import('./charts').then((charts) => charts.AovBySegmentChart), { ssr: false, loading: placeholder(titles.aov) }),
);
