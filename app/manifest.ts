/** The web app manifest: name and icons for "add to home screen" and the browser's app list. */
import type { MetadataRoute } from 'next';

export default function manifest(): MetadataRoute.Manifest {
  return {
    name: 'Nightshift',
    short_name: 'Nightshift',
    description: 'Resilient data pipelines and the executive dashboard they feed.',
    start_url: '/',
    display: 'standalone',
    background_color: '#0b1120',
    theme_color: '#4338ca',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
    ],
  };
}
