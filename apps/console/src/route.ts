import { useEffect, useState } from 'react';

/** The console's pages live in the address's fragment (`#/inbox`, `#/orders/ID`, `#/statistics`). */
export type Route =
  { page: 'inbox' } | { page: 'orders' } | { page: 'order'; id: string } | { page: 'statistics' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const order = /^\/orders\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (order?.[1]) return { page: 'order', id: order[1] };
  if (path === '/orders') return { page: 'orders' };
  if (path === '/statistics') return { page: 'statistics' };
  return { page: 'inbox' };
}

export const orderHref = (id: string) => `#/orders/${encodeURIComponent(id)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
