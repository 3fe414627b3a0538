// Imported first by scripts/server.ts: `npm start` is production unless NODE_ENV says otherwise, so Express and
// React run their production paths (no stack traces in error pages, no development checks).
if (!process.env.NODE_ENV) process.env.NODE_ENV = "production";
