// fauxqs, the in-memory S3 and SQS behind the proxy: started on 127.0.0.1 with the stand-in's
// patches to its stores, and the helpers tests use to set it up directly (`standin.fauxqs`).

import {
  buildApp,
  SqsStore,
  SnsStore,
  S3Store,
  sqsQueueArn,
  applyInitConfig,
  validateInitConfig,
  MessageSpy,
} from "./fauxqs-modules.mjs";
import { patchListObjectsOrder } from "./s3.mjs";
import { patchQueueLookup } from "./sqs.mjs";

/** Start fauxqs on 127.0.0.1:`port` (0 = ephemeral). */
export async function startFauxqsLoopback({ port = 0, region, messageSpies, fixListOrder = true }) {
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  // Queue URLs are built from the Host header of the request (the proxy's address), so a queue
  // URL returned through the proxy points back at the proxy.
  sqsStore.host = "";
  const spy = messageSpies ? new MessageSpy(typeof messageSpies === "object" ? messageSpies : undefined) : undefined;
  if (spy) sqsStore.spy = snsStore.spy = s3Store.spy = spy;
  if (fixListOrder) patchListObjectsOrder(s3Store);
  patchQueueLookup(sqsStore);
  const app = buildApp({ logger: false, defaultRegion: region, stores: { sqsStore, snsStore, s3Store } });
  const address = await app.listen({ port, host: "127.0.0.1" });
  const actualPort = Number(new URL(address).port);
  return { app, address: `http://127.0.0.1:${actualPort}`, port: actualPort, sqsStore, snsStore, s3Store, spy };
}

/**
 * What startFauxqs() would return, with queue URLs that point at the proxy
 * (`proxyPort`, `proxyHost` = "127.0.0.1:<proxyPort>").
 */
export function fauxqsControls(fq, { proxyPort, proxyHost, region }) {
  return {
    address: fq.address,
    port: fq.port,
    sqsStore: fq.sqsStore,
    snsStore: fq.snsStore,
    s3Store: fq.s3Store,
    get spy() {
      if (!fq.spy) throw new Error("message spy not enabled: pass { messageSpies: true }");
      return fq.spy;
    },
    createQueue(name, opts = {}) {
      const r = opts.region ?? region;
      const arn = sqsQueueArn(name, r);
      const existing = fq.sqsStore.getQueueByArn(arn);
      if (existing) return { queueUrl: existing.url, queueArn: arn, queueName: name };
      const queueUrl = fq.sqsStore.buildQueueUrl(name, String(proxyPort), proxyHost, r);
      fq.sqsStore.createQueue(name, queueUrl, arn, opts.attributes, opts.tags);
      return { queueUrl, queueArn: arn, queueName: name };
    },
    deleteQueue(name, opts = {}) {
      const q = fq.sqsStore.getQueueByArn(sqsQueueArn(name, opts.region ?? region));
      if (q) fq.sqsStore.deleteQueue(q.url);
    },
    inspectQueue(name) {
      return fq.sqsStore.inspectQueue(name);
    },
    createBucket(name) {
      fq.s3Store.createBucket(name);
      return { bucketName: name };
    },
    putObject(bucket, key, body, contentType = "application/octet-stream", metadata = {}) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body ?? "");
      const o = fq.s3Store.putObject(bucket, key, buf, contentType, metadata);
      return { etag: o.etag };
    },
    emptyBucket(name) {
      fq.s3Store.emptyBucket(name);
    },
    // Tests of "what changed after time T" need objects from different seconds without waiting
    // for the clock: set an object's LastModified (listing, HEAD and GET report it).
    setLastModified(bucket, key, when) {
      const date = new Date(when);
      if (Number.isNaN(date.getTime())) throw new Error(`not a time: ${when}`);
      const o = fq.s3Store.getObject(bucket, key);
      o.lastModified = date;
      return { bucket, key, lastModified: date.toISOString() };
    },
    // applyInitConfig builds queue URLs from "127.0.0.1:<port>" + the store host (""), i.e. the proxy.
    setup(config) {
      const cfg = validateInitConfig(config);
      applyInitConfig(cfg, fq.sqsStore, fq.snsStore, fq.s3Store, { port: proxyPort, region });
    },
    reset() {
      fq.sqsStore.clearMessages();
      fq.s3Store.clearObjects();
      fq.spy?.clear();
    },
    purgeAll() {
      fq.sqsStore.purgeAll();
      fq.snsStore.purgeAll();
      fq.s3Store.purgeAll();
    },
  };
}
