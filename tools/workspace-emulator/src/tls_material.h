// Test certificates made at start: a CA and a server certificate for
// 127.0.0.1/localhost (what MSAL and the Azure SDK need to talk HTTPS to a
// local stand-in), and self-signed client certificates for applications.
#pragma once

#include <string>

#include "crypto.h"

namespace wsemu {

struct ServerTls {
  PKey ca_key;
  Cert ca_cert;
  PKey server_key;
  Cert server_cert;
};

/// A fresh CA and a server certificate it signed, valid `days` days, with
/// subject alternative names 127.0.0.1, ::1 and localhost.
ServerTls generate_server_tls(int days);

/// A self-signed certificate for an application credential (client
/// certificate), with the given common name.
struct ClientCertificate {
  PKey key;
  Cert cert;
};
ClientCertificate generate_client_certificate(const std::string& common_name, int days);

}  // namespace wsemu
