// Usage: npm run seed -- [--db PATH] [--incidents N] [--alerts M] [--seed S] [--reset]
// Fills a SQLite database (default DATABASE_URL or ./data/faultline.db) with a deterministic demo set of ML
// production incidents, models, alerts and postmortems. Defaults: 150 incidents over 18 months, 2,000 alerts, seed 42.
// Refuses to touch a database that already holds incidents, alerts or models unless --reset is given; --reset
// deletes those (and the incident audit entries) but keeps users, sessions and API tokens.
// The steps live in scripts/seed/ (main.ts is the outline).
import { main } from "./seed/main";

await main(process.argv.slice(2));
