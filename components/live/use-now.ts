'use client';
/**
 * The current time, ticking every `intervalMs`, for elapsed times and countdowns. Starts at the server's render
 * time so the first client render matches the HTML (no hydration mismatch), then follows the clock.
 */
import { useEffect, useState } from 'react';

export function useNow(renderedAt: number, intervalMs = 1_000): number {
  const [now, setNow] = useState(renderedAt);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
