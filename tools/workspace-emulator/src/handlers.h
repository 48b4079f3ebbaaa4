// The HTTP endpoints, one registration function per protocol.
#pragma once

#include <httplib.h>

#include "emulator.h"

namespace wsemu {

/// Entra ID: POST /{tenant}/oauth2/v2.0/token, the OpenID configuration,
/// instance discovery and the signing keys.
void register_entra(httplib::Server& server, Emulator& emulator);

/// IMDS: GET /metadata/identity/oauth2/token.
void register_imds(httplib::Server& server, Emulator& emulator);

/// Logs Ingestion: POST /dataCollectionRules/{id}/streams/{stream}.
void register_logs_ingestion(httplib::Server& server, Emulator& emulator);

/// Azure Resource Manager: GET /subscriptions/{sub}/resourceGroups/{rg}/providers/
/// Microsoft.Insights/dataCollectionRules/{name}.
void register_arm(httplib::Server& server, Emulator& emulator);

/// Data Collector: POST /api/logs.
void register_data_collector(httplib::Server& server, Emulator& emulator);

/// /_emulator/…: tables, rows, requests, faults, federated tokens, health.
void register_admin(httplib::Server& server, Emulator& emulator);

}  // namespace wsemu
