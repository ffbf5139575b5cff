import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../lib/config.js';
import { stackPaths } from './paths.js';
import { KAFKA_VERSION } from './versions.js';

// `npm run kafka -- console-producer --topic warehouse_movements < event.json`:
// Kafka's own command-line tools, from the jars the local stack installed,
// pointed at the configured brokers unless --bootstrap-server is given.
const TOOLS: Record<string, string> = {
  'console-producer': 'org.apache.kafka.tools.ConsoleProducer',
  'console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  topics: 'org.apache.kafka.tools.TopicCommand',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
};

const [tool, ...args] = process.argv.slice(2);
const mainClass = tool ? TOOLS[tool] : undefined;
if (!mainClass) {
  console.error(`usage: npm run kafka -- <${Object.keys(TOOLS).join('|')}> [kafka tool options]`);
  process.exit(2);
}
const config = loadConfig();
const libs = path.join(stackPaths(config.stackDir).opt, `kafka-${KAFKA_VERSION}`, 'libs');
const bootstrap = args.includes('--bootstrap-server')
  ? []
  : ['--bootstrap-server', config.kafkaBrokers.join(',')];
const child = spawn(
  'java',
  ['-Xmx256m', '-Dlog4j2.level=warn', '-cp', `${libs}/*`, mainClass, ...bootstrap, ...args],
  { stdio: 'inherit' },
);
child.on('exit', (code) => process.exit(code ?? 1));
