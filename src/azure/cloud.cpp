// Where each Azure cloud's Entra ID and Azure Monitor live (REFERENCE §7.1).

#include <stdexcept>

#include "azure/azure_auth.h"

namespace gd2s::azure {

CloudEndpoints cloud_endpoints(std::string_view cloud) {
  if (cloud == "public")
    return {"https://login.microsoftonline.com", "https://monitor.azure.com/.default",
            "https://monitor.azure.com", "https://management.azure.com"};
  if (cloud == "usgovernment")
    return {"https://login.microsoftonline.us", "https://monitor.azure.us/.default",
            "https://monitor.azure.us", "https://management.usgovcloudapi.net"};
  if (cloud == "china")
    return {"https://login.partner.microsoftonline.cn", "https://monitor.azure.cn/.default",
            "https://monitor.azure.cn", "https://management.chinacloudapi.cn"};
  throw std::invalid_argument("unknown Azure cloud \"" + std::string(cloud) +
                              "\": use public, usgovernment or china");
}

}  // namespace gd2s::azure
