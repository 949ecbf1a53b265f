import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from './metrics.ts';
import { parseListenAddress, startTelemetryServer } from './server.ts';

describe('telemetry server', () => {
  it('parses listen addresses: ":port" is every interface, a bare port is loopback', () => {
    expect(parseListenAddress(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListenAddress('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(() => parseListenAddress('localhost')).toThrow(/expected \[host\]:port/);
  });

  it('serves the controller metrics, /healthz and a /readyz that follows the caches', async () => {
    const metrics = new ControllerMetrics();
    metrics.observeCanary('test', 'podinfo', 'Progressing', 20);
    let ready = false;
    const server = await startTelemetryServer('127.0.0.1:0', {
      registry: metrics.registry,
      live: () => true,
      ready: () => ({ ready, detail: ready ? 'ok' : 'waiting for caches: canaries' }),
    });
    try {
      const body = await (await fetch(`${server.url}/metrics`)).text();
      expect(body).toContain('serin_canary_phase{namespace="test",name="podinfo",phase="Progressing"} 1');
      expect(body).toContain('serin_canary_phase{namespace="test",name="podinfo",phase="Idle"} 0');
      expect(body).toContain('serin_canary_weight{namespace="test",name="podinfo"} 20');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${server.url}/readyz`);
      expect([notReady.status, await notReady.text()]).toEqual([503, 'waiting for caches: canaries\n']);
      ready = true;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
