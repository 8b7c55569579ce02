/**
 * Prometheus text as a map from each sample's series, as Prometheus prints it (`name` or
 * `name{label="value",…}`), to its value.
 */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** A process's /metrics, parsed (parseMetrics). */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** The sum of a series' samples over all its label values (0 when it has none yet). */
export function sumOf(samples: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [series, value] of samples) if (series === name || series.startsWith(`${name}{`)) sum += value;
  return sum;
}

/**
 * The grouped statements of one kind (ADR 0024) a web process sent so far, and the calls they
 * carried (NaN where the series is missing).
 */
export async function groupedStatements(url: string, what: "sign" | "confirm"): Promise<{ statements: number; calls: number }> {
  const samples = await scrapeMetrics(url);
  return {
    statements: samples.get(`banner_grouped_statements_total{what="${what}"}`) ?? NaN,
    calls: samples.get(`banner_grouped_calls_total{what="${what}"}`) ?? NaN,
  };
}

/** How many confirm posts the web's fast path (server/verify-form-post.ts) answered itself, and passed on to Remix. */
export async function fastPathCounts(url: string): Promise<{ answered: number; passed: number }> {
  const samples = await scrapeMetrics(url);
  const read = (result: string) => samples.get(`banner_verify_fast_path_total{result="${result}"}`) ?? 0;
  return { answered: read("answered"), passed: read("passed") };
}
