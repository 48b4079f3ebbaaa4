#pragma once
// The start-up check of who else may open the files that hold gd2sentinel's keys: the config
// file, every secret given as "file:/path", and the [azure] certificate. Only the files' modes and
// access ACLs are looked at (stat, getxattr); their contents are never read here.

#include <optional>
#include <string>
#include <vector>

#include "app/config.h"

namespace gd2s {

/// A warning when users other than the file's owner and this process may read or write the file
/// at `path`, naming it as `what` (e.g. "config file"), with its mode in octal and the fix;
/// nothing when the file is tight or does not exist.
///
/// Who counts: others (the o bits); the file's group unless it is this process's own effective
/// group (so `root:gd2sentinel 0640` for a service running as group gd2sentinel, or a Kubernetes
/// volume given the pod's `fsGroup`, is fine); and every user or group a POSIX access ACL names
/// besides this process's own. With an ACL the group bits of the mode are the ACL's mask, so a
/// systemd credential (0400, root, plus an ACL entry that lets the service's user read it: mode
/// 0440) passes.
std::optional<std::string> file_permission_warning(const std::string& path,
                                                   const std::string& what);

/// One warning per file: the config file at `config_path`, each "file:" secret reference in it
/// (every string value of the form "file:/path", whatever its key), and `[azure] certificate`.
std::vector<std::string> permission_warnings(const Config& config, const std::string& config_path);

}  // namespace gd2s
