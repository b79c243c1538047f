'use client';
/**
 * The delivery calendar, drawn in the browser only. It sits at the foot of the dashboard and of /runs, and its
 * month grid was a fifth of the dashboard's server render time on every request (the benchmark's 20 viewers
 * at once), while in the browser drawing it costs about what hydrating the server's copy did. Until it is drawn
 * a placeholder with the same heading holds its place.
 */
import dynamic from 'next/dynamic';

function CalendarPlaceholder() {
  return (
    <section aria-label="Deliveries (loading)" aria-busy="true" className="flex min-h-96 flex-col gap-3">
      <p className="text-lg font-semibold">Deliveries</p>
      <div className="aspect-7/6 w-full max-w-xl rounded-card bg-surface-muted" />
    </section>
  );
}

export const LazyDeliveryCalendar = dynamic(() => import('./delivery-calendar').then((module) => module.DeliveryCalendar), {
  ssr: false,
  loading: CalendarPlaceholder,
});
