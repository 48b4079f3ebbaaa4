#pragma once
// Who an Entra ID access token was issued to, for `check` to show (never the token itself).

#include <string>

namespace gd2s::azure {

/// "appid …, oid …, tid …" from the token's claims; a phrase saying so when they are not
/// readable. The signature is not checked: this names the identity, it proves nothing.
std::string token_identity(const std::string& token);

}  // namespace gd2s::azure
