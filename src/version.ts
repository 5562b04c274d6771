// Replaced at build time by esbuild's `define`; the fallback keeps tests (run from source) working.
declare const __CONFL_VERSION__: string | undefined;
export const VERSION: string = typeof __CONFL_VERSION__ === "string" ? __CONFL_VERSION__ : "0.0.0-dev";
export const USER_AGENT = `confl/${VERSION}`;
