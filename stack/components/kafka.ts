import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { StackError } from '../../lib/errors.js';
import type { Component, Health, StackContext } from '../component.js';
import { commandExists, runVisible } from '../processes.js';
import { renderTemplate } from '../templates.js';
import { JMX_EXPORTER_VERSION, KAFKA_VERSION } from '../versions.js';

export interface KafkaPorts {
  /** Clients (PLAINTEXT). */
  readonly port: number;
  /** KRaft's own traffic. */
  readonly controllerPort: number;
  /** The JMX exporter java agent's /metrics, for Prometheus. */
  readonly jmxPort: number;
}

export const KAFKA_PORTS: KafkaPorts = { port: 9092, controllerPort: 9093, jmxPort: 9404 };
// A fixed cluster id: formatting is done once per data folder, and a constant
// avoids parsing `random-uuid` output that arrives mixed with log lines.
const CLUSTER_ID = 'c3RvY2tmbG93LWxvY2FsMQ';

const home = (ctx: StackContext): string => path.join(ctx.paths.opt, `kafka-${KAFKA_VERSION}`);
const libs = (ctx: StackContext): string => path.join(home(ctx), 'libs');
const confDir = (ctx: StackContext): string => path.join(ctx.paths.conf, 'kafka');
const dataDir = (ctx: StackContext): string => path.join(ctx.paths.data, 'kafka');
const classpath = (ctx: StackContext): string => `${libs(ctx)}/*`;
const jmxAgent = (ctx: StackContext): string =>
  path.join(
    ctx.paths.opt,
    `jmx-exporter-${JMX_EXPORTER_VERSION}`,
    `jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`,
  );

/** The Prometheus JMX exporter, a java agent from Maven Central (one jar, no dependencies). */
function installJmxAgent(ctx: StackContext): void {
  if (existsSync(jmxAgent(ctx))) return;
  ctx.say(`downloading the Prometheus JMX exporter agent ${JMX_EXPORTER_VERSION} (first run only)`);
  runVisible('mvn', [
    '-B',
    '-Dstyle.color=never',
    '-q',
    'dependency:copy',
    `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`,
    `-DoutputDirectory=${path.dirname(jmxAgent(ctx))}`,
  ]);
  if (!existsSync(jmxAgent(ctx))) throw new StackError(`no ${jmxAgent(ctx)} after its download`);
}

function install(ctx: StackContext): void {
  const marker = path.join(home(ctx), '.installed');
  const pomText = renderTemplate('kafka-pom.xml', { version: KAFKA_VERSION });
  // The marker holds the pom it was installed from: a changed pom re-installs.
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pomText) return;
  if (!commandExists('java') || !commandExists('mvn')) {
    throw new StackError(
      'Kafka needs `java` (17+) and `mvn` on PATH to install from Maven Central',
    );
  }
  ctx.say(`downloading Apache Kafka ${KAFKA_VERSION} jars from Maven Central (first run only)`);
  mkdirSync(home(ctx), { recursive: true });
  const pom = path.join(home(ctx), 'pom.xml');
  writeFileSync(pom, pomText);
  rmSync(libs(ctx), { recursive: true, force: true });
  runVisible('mvn', [
    '-B',
    '-Dstyle.color=never',
    '-q',
    '-f',
    pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libs(ctx)}`,
  ]);
  ctx.say(`installed ${readdirSync(libs(ctx)).length} jars into ${libs(ctx)}`);
  writeFileSync(marker, pomText);
}

/** A single-node KRaft broker; other ports than the defaults serve a second, private one. */
export const kafkaComponent = (ports: KafkaPorts = KAFKA_PORTS): Component => ({
  name: 'kafka',
  externalVar: 'KAFKA_BOOTSTRAP_SERVERS',
  ports: [ports.port, ports.controllerPort, ports.jmxPort],
  stopSignal: 'SIGTERM',
  startTimeoutMs: 120_000,
  isLocal: (config) => config.local.kafka,
  address: (config) => config.kafkaBrokers.join(','),

  prepare(ctx) {
    install(ctx);
    installJmxAgent(ctx);
    mkdirSync(confDir(ctx), { recursive: true });
    mkdirSync(dataDir(ctx), { recursive: true });
    const props = path.join(confDir(ctx), 'server.properties');
    writeFileSync(
      props,
      renderTemplate('kafka-server.properties', {
        port: ports.port,
        controllerPort: ports.controllerPort,
        dataDir: dataDir(ctx),
      }),
    );
    writeFileSync(
      path.join(confDir(ctx), 'jmx-exporter.yaml'),
      renderTemplate('kafka-jmx-exporter.yaml', {}),
    );
    writeFileSync(
      path.join(confDir(ctx), 'log4j2.properties'),
      renderTemplate('kafka-log4j2.properties', {}),
    );
    if (!existsSync(path.join(dataDir(ctx), 'meta.properties'))) {
      ctx.say('formatting Kafka storage (KRaft)');
      runVisible(
        'java',
        [
          `-Dlog4j2.configurationFile=${path.join(confDir(ctx), 'log4j2.properties')}`,
          '-cp',
          classpath(ctx),
          'kafka.tools.StorageTool',
          'format',
          '-t',
          CLUSTER_ID,
          '-c',
          props,
          '--ignore-formatted',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
    }
    return Promise.resolve();
  },

  launch(ctx) {
    return {
      command: 'java',
      args: [
        '-Xms256m',
        '-Xmx768m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${path.join(confDir(ctx), 'log4j2.properties')}`,
        `-Dkafka.logs.dir=${ctx.paths.logs}`,
        // Kafka's MBeans for Prometheus, on loopback only.
        `-javaagent:${jmxAgent(ctx)}=127.0.0.1:${ports.jmxPort}:${path.join(confDir(ctx), 'jmx-exporter.yaml')}`,
        '-cp',
        classpath(ctx),
        'kafka.Kafka',
        path.join(confDir(ctx), 'server.properties'),
      ],
    };
  },

  async probe(ctx): Promise<Health> {
    const client = new Kafka({
      clientId: 'stockflow-stack-probe',
      brokers: [...ctx.config.kafkaBrokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_500,
      requestTimeout: 3_000,
      retry: { retries: 0 },
    });
    const admin = client.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return {
        ok: cluster.brokers.length > 0,
        version: ctx.config.local.kafka ? KAFKA_VERSION : undefined,
        detail: `${cluster.brokers.length} broker(s), controller ${cluster.controller}`,
      };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
});

export const kafka = kafkaComponent();
