import type { ReactNode } from 'react';

/**
 * A wide table on a narrow screen scrolls sideways inside this region, which a keyboard user can
 * focus and scroll (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      {children}
    </div>
  );
}
