// Pinned versions of what the local stack downloads. Changing one re-installs it.
export const KAFKA_VERSION = '4.1.1';
// Apicurio 3.1.x is what we would pick (3.2+ needs Java 21), but the Maven
// Central this project can reach serves no 3.1.x artifact; 3.0.9 is the newest
// release there that runs on Java 17, with the same ccompat/v7 API.
export const APICURIO_VERSION = '3.0.9';
// The Prometheus JMX exporter java agent in the local broker (Maven Central).
export const JMX_EXPORTER_VERSION = '1.0.1';
