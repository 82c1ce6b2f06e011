import { useEffect, useState } from 'react';

/** The console's pages live in the address's fragment (`#/inbox`, `#/orders/ID`, `#/statistics[/YYYY-MM]`). */
export type Route =
  | { page: 'inbox' }
  | { page: 'orders' }
  | { page: 'order'; id: string }
  | { page: 'statistics'; month: string | null };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const order = /^\/orders\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (order?.[1]) return { page: 'order', id: order[1] };
  if (path === '/orders') return { page: 'orders' };
  const statistics = /^\/statistics(?:\/(\d{4}-\d{2}))?$/.exec(path);
  if (statistics) return { page: 'statistics', month: statistics[1] ?? null };
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
