// Preloaded into the app by the burst bench (`--import`) when RUBRICA_LOOP_PROBE names a
// file: each second, how late the app's event loop ran timers (perf_hooks'
// monitorEventLoopDelay), one JSON line per second, so a slow webhook answer can be told
// apart from a blocked loop. Measures only; changes nothing in the app.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const file = process.env.RUBRICA_LOOP_PROBE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const used = performance.eventLoopUtilization(now, elu);
    elu = now;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), utilization: Math.round(used.utilization * 1000) / 1000 })}\n`);
    delay.reset();
  }, 1_000);
  timer.unref();
}
