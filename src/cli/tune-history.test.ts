import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisTemplateSpec } from '../api/index.ts';
import { HistoryError, readHistory } from './tune-history.ts';

const PROM = 'http://prom.tune-history.test:9090';
const spec = AnalysisTemplateSpec.parse({
  metrics: [
    {
      name: 'errors',
      successCondition: 'result < 0.05',
      provider: { prometheus: { address: PROM, query: 'sum(rate(http_errors_total[1m]))' } },
    },
  ],
});
const input = {
  templates: [spec],
  args: { values: {}, secrets: [] },
  from: 1_700_000_000_000,
  to: 1_700_000_060_000,
};

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe('readHistory', () => {
  it('sends the --bearer-token-file token with every read', async () => {
    const scope = nock(PROM, { reqheaders: { authorization: 'Bearer s3cret' } })
      .persist()
      .post('/api/v1/query')
      .reply(200, { status: 'success', data: { resultType: 'matrix', result: [] } });
    await expect(readHistory({ ...input, bearerToken: 's3cret' })).resolves.toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('turns an answer that is not Prometheus (a 401 page) into a HistoryError naming the status', async () => {
    nock(PROM).persist().post('/api/v1/query').reply(401, '<html>Unauthorized</html>');
    const read = readHistory(input);
    await expect(read).rejects.toBeInstanceOf(HistoryError);
    await expect(readHistory(input).catch((err: unknown) => String(err))).resolves.toMatch(/HTTP 40/);
  });

  it('turns an unreachable Prometheus into a HistoryError', async () => {
    nock(PROM).post('/api/v1/query').replyWithError(new Error('connect ECONNREFUSED'));
    await expect(readHistory(input)).rejects.toThrow(
      /cannot reach http:\/\/prom\.tune-history\.test:9090 \(connect ECONNREFUSED\)/,
    );
  });
});
