// fauxqs's internal modules, loaded by path. fauxqs only exports startFauxqs(), which always
// listens on 0.0.0.0; to bind 127.0.0.1 the stand-in builds the app itself from the same module
// instances fauxqs's app.js uses.

const FAUXQS_APP_URL = import.meta.resolve("fauxqs");
const fauxqsModule = (rel) => import(new URL(rel, FAUXQS_APP_URL).href);

export const { buildApp } = await import(FAUXQS_APP_URL);
export const { SqsStore } = await fauxqsModule("./sqs/sqsStore.js");
export const { SnsStore } = await fauxqsModule("./sns/snsStore.js");
export const { S3Store } = await fauxqsModule("./s3/s3Store.js");
export const { S3Error } = await fauxqsModule("./common/errors.js");
export const { sqsQueueArn } = await fauxqsModule("./common/arnHelper.js");
export const { applyInitConfig, loadInitConfig, validateInitConfig } = await fauxqsModule("./initConfig.js");
export const { MessageSpy } = await fauxqsModule("./spy.js");
