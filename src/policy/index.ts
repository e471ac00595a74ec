// The organisation policy layer: above src/core (it maps onto core's SecurityConfig and trust anchors),
// below the Office adapters (no Office.js, no DOM; fetch is injected). See docs/ADMIN.md.

export * from './policy.js';
export * from './load.js';
