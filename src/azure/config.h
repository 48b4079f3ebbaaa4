#pragma once
// [azure]: the identity the Azure sinks, `check` and `migrate table` sign in as.

#include <span>

#include "azure/azure_auth.h"
#include "core/config_reader.h"

namespace gd2s::azure {

/// The keys of [azure], as docs/configuration.md documents them.
std::span<const OptionDoc> azure_options();
void read_azure_config(TableReader& reader, AzureAuthOptions& config);

}  // namespace gd2s::azure
