// Which credentials the stand-in accepts: the test-only defaults, or a list given in the options,
// a file or the environment (README.md, "Credentials").

import fs from "node:fs";

/** Test-only default credentials (documented in README.md). Never use them anywhere real. */
export const DEFAULT_CREDENTIALS = Object.freeze([
  Object.freeze({
    accessKeyId: "AKIDSTANDIN0000000000",
    secretAccessKey: "standin/secret/key/for/local/tests/only00",
  }),
]);

/** The account every accepted credential belongs to: fauxqs's fixed account id. */
export const ACCOUNT_ID = "000000000000";

function normaliseCredentialList(value, origin) {
  const list = Array.isArray(value) ? value : value?.credentials;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${origin}: expected a non-empty array of {accessKeyId, secretAccessKey, sessionToken?}`);
  }
  return list.map((c, i) => {
    if (!c || typeof c.accessKeyId !== "string" || typeof c.secretAccessKey !== "string" || !c.accessKeyId) {
      throw new Error(`${origin}: entry ${i} needs string accessKeyId and secretAccessKey`);
    }
    if (c.sessionToken !== undefined && typeof c.sessionToken !== "string") {
      throw new Error(`${origin}: entry ${i}: sessionToken must be a string`);
    }
    return Object.freeze({
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    });
  });
}

/**
 * Resolve the accepted credentials: options.credentials, else options.credentialsFile, else
 * $AWS_STANDIN_CREDENTIALS (JSON), else $AWS_STANDIN_CREDENTIALS_FILE, else the test defaults.
 */
export function resolveCredentials(options = {}, env = process.env) {
  if (options.credentials) return normaliseCredentialList(options.credentials, "options.credentials");
  if (options.credentialsFile) {
    return normaliseCredentialList(
      JSON.parse(fs.readFileSync(options.credentialsFile, "utf8")),
      options.credentialsFile,
    );
  }
  if (env.AWS_STANDIN_CREDENTIALS) {
    return normaliseCredentialList(JSON.parse(env.AWS_STANDIN_CREDENTIALS), "$AWS_STANDIN_CREDENTIALS");
  }
  if (env.AWS_STANDIN_CREDENTIALS_FILE) {
    return normaliseCredentialList(
      JSON.parse(fs.readFileSync(env.AWS_STANDIN_CREDENTIALS_FILE, "utf8")),
      env.AWS_STANDIN_CREDENTIALS_FILE,
    );
  }
  return DEFAULT_CREDENTIALS.slice();
}
