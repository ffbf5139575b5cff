import { describe, expect, it } from 'vitest';
import { configTable, loadConfig, settings } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

describe('loadConfig', () => {
  it('gives local-stack defaults and marks every component local', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafkaTopic).toBe('warehouse_movements');
    expect(config.local).toEqual({
      kafka: true,
      registry: true,
      postgres: true,
      clickhouse: true,
      prometheus: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafkaBrokers)).toBe(true);
  });

  it('reads seed variable names and treats a set URL as an external component', () => {
    const config = loadConfig({
      KAFKA_BOOTSTRAP_SERVERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_TOPIC: 'moves',
      KAFKA_GROUP_ID: 'g',
      PORT: '9001',
      DATABASE_URL: 'postgresql://u:p@db:5432/x',
      PROMETHEUS_URL: 'http://prometheus:9090',
    });
    expect(config.kafkaBrokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.kafkaTopic).toBe('moves');
    expect(config.port).toBe(9001);
    expect(config.local).toEqual({
      kafka: false,
      registry: true,
      postgres: false,
      clickhouse: true,
      prometheus: false,
    });
    expect(config.prometheusUrl).toBe('http://prometheus:9090');
  });

  it('STOCKFLOW_LOCAL_STACK=off makes nothing local', () => {
    expect(loadConfig({ STOCKFLOW_LOCAL_STACK: 'off' }).local).toEqual({
      kafka: false,
      registry: false,
      postgres: false,
      clickhouse: false,
      prometheus: false,
    });
  });

  it('lists every bad value in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '99999',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        CLICKHOUSE_DATABASE: 'a-b',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT must be an integer from 0 to 65535, got "99999"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must use postgres or postgresql/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of/);
  });

  it('rejects unknown settings in the variable families it owns, with a suggestion', () => {
    expect(() => loadConfig({ KAFKA_BOOTSTRAP_SERVER: 'x:1' })).toThrow(
      /KAFKA_BOOTSTRAP_SERVER is not a stockflow setting \(did you mean KAFKA_BOOTSTRAP_SERVERS\?\)/,
    );
    expect(() => loadConfig({ HOME: '/root', PGPASSWORD: 'x' })).not.toThrow();
  });

  it('rejects malformed broker lists and topic names', () => {
    expect(() => loadConfig({ KAFKA_BOOTSTRAP_SERVERS: 'localhost' })).toThrow(
      /expected host:port/,
    );
    expect(() => loadConfig({ KAFKA_TOPIC: 'bad topic' })).toThrow(/Kafka topic name/);
  });

  it('takes a five-field cron line or off for IMPORT_SCHEDULE, and nothing else', () => {
    expect(loadConfig({}).importSchedule).toBe('0 2 * * *');
    expect(loadConfig({ IMPORT_SCHEDULE: ' 30  4 * * 1-5 ' }).importSchedule).toBe('30 4 * * 1-5');
    expect(loadConfig({ IMPORT_SCHEDULE: 'off' }).importSchedule).toBe('off');
    expect(() => loadConfig({ IMPORT_SCHEDULE: 'daily' })).toThrow(
      /IMPORT_SCHEDULE must be a cron line of five fields/,
    );
    expect(() => loadConfig({ IMPORT_SCHEDULE: '0 2 * *' })).toThrow(/five fields/);
  });

  it('takes true or false for API_VALIDATE_RESPONSES, and refuses a misspelt API_ setting', () => {
    expect(loadConfig({}).validateResponses).toBe(true);
    expect(loadConfig({ API_VALIDATE_RESPONSES: 'false' }).validateResponses).toBe(false);
    expect(() => loadConfig({ API_VALIDATE_RESPONSES: 'no' })).toThrow(
      /API_VALIDATE_RESPONSES must be true or false, got "no"/,
    );
    expect(() => loadConfig({ API_VALIDATE_RESPONSE: 'false' })).toThrow(
      /did you mean API_VALIDATE_RESPONSES/,
    );
  });

  it('documents every setting in the README table', () => {
    const table = configTable();
    for (const s of Object.values(settings)) expect(table).toContain(`\`${s.env}\``);
  });
});
