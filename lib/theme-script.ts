/**
 * The theme is decided before the first paint by a tiny inline script in <head> (so there is no flash of the
 * wrong theme): a stored choice wins, otherwise the OS preference, which it keeps following while no choice is
 * stored. It writes the result to <html data-theme>, which globals.css turns into `color-scheme`.
 */
export const themeStorageKey = 'nightshift-theme';
export type Theme = 'light' | 'dark';

export const themeScript = `(function () {
  var key = ${JSON.stringify(themeStorageKey)};
  var root = document.documentElement;
  var media = window.matchMedia('(prefers-color-scheme: dark)');
  function stored() {
    try { var value = localStorage.getItem(key); return value === 'light' || value === 'dark' ? value : null; }
    catch (error) { return null; }
  }
  root.dataset.theme = stored() || (media.matches ? 'dark' : 'light');
  media.addEventListener('change', function (event) {
    if (!stored()) root.dataset.theme = event.matches ? 'dark' : 'light';
  });
})();`;
