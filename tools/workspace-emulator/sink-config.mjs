// The gd2sentinel config sections that ship to a running workspace emulator: Logs Ingestion to
// its default DCR, Entra client-secret auth against it, and its CA. For the scripts that run
// gd2sentinel against the emulator (bench/, tools/soak/); the secret comes from the environment
// variable named, set to EMULATOR_CLIENT_SECRET in the child's environment.

export const EMULATOR_CLIENT_SECRET = "emulator-client-secret";

/// `ready` is the emulator's ready line (its `url`); `caFile` where its CA was written.
export function emulatorSinkToml({ ready, caFile, stream = "Custom-GuardDutyFinding", secretEnv }) {
  return `[sink.logs_ingestion]
endpoint = "${ready.url}"
dcr_immutable_id = "dcr-00000000000000000000000000000001"
stream = "${stream}"
[azure]
auth = "client_secret"
tenant_id = "3d6f7a21-0000-4000-8000-000000000001"
client_id = "0e9c4d1a-0000-4000-8000-000000000002"
client_secret = "env:${secretEnv}"
authority_host = "${ready.url}"
[http]
ca_file = "${caFile}"
`;
}
