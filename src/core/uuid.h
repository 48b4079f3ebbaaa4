#pragma once
// Random (version 4) UUIDs, for request ids and JWT ids.

#include <string>

namespace gd2s {

/// "3f2b8c1e-7d4a-4b9e-9c2f-0a1b2c3d4e5f": 122 random bits from OpenSSL's CSPRNG.
std::string random_uuid();

}  // namespace gd2s
