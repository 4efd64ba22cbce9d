// Runs the graphql-http server audit against the URL given and prints every
// result; exits non-zero on any error or warning.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  console.log(`${result.status.toUpperCase().padEnd(5)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    console.log(`      ${result.reason}`);
    if (result.response) {
      const body = await result.response.text().catch(() => '');
      console.log(`      HTTP ${result.response.status}: ${body.slice(0, 300)}`);
    }
  }
}
console.log(`graphql-http audit: ${results.length} audits, ${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors`);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
