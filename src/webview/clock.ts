// The moment the bundle began to run, before chart.js and the plugins evaluate: imported first by main.ts, so the
// first-draw breakdown can tell the script's load from its parse and set-up.
export const scriptStart = performance.now();
