/** First focusable element on every page: jumps keyboard users past the header to the main content. */
export const mainContentId = 'main-content';

export function SkipLink() {
  return (
    <a
      href={`#${mainContentId}`}
      className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-control focus:bg-accent focus:px-4 focus:py-2 focus:text-accent-foreground"
    >
      Skip to main content
    </a>
  );
}
