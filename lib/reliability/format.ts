/** Minutes against the deadline in words, for the reliability page, its chart and its tables (server and browser). */
export function minutesLabel(minutes: number): string {
  if (minutes === 0) return 'at the deadline';
  const whole = Math.abs(minutes);
  const text = whole >= 60 ? `${Math.floor(whole / 60)} h ${Math.round(whole % 60)} min` : `${Math.round(whole)} min`;
  return minutes < 0 ? `${text} early` : `${text} late`;
}
