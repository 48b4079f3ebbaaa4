#include "app/file_permissions.h"

#include <endian.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>

#include "core/secret.h"

namespace gd2s {
namespace {

constexpr unsigned kRead = ACL_READ;
constexpr unsigned kWrite = ACL_WRITE;

struct AclEntry {
  unsigned tag = 0;
  unsigned perm = 0;
  uint32_t id = 0;
};

// The file's access ACL as the kernel stores it (linux/posix_acl_xattr.h: a little-endian
// version-2 header, then {tag, perm, id} entries); empty when it has none or the file system
// keeps none.
std::vector<AclEntry> access_acl(const std::string& path) {
  const char* name = "system.posix_acl_access";
  ssize_t size = ::getxattr(path.c_str(), name, nullptr, 0);
  if (size <= 0) return {};
  std::vector<char> blob(static_cast<size_t>(size));
  size = ::getxattr(path.c_str(), name, blob.data(), blob.size());
  if (size < static_cast<ssize_t>(sizeof(posix_acl_xattr_header))) return {};
  size_t bytes = static_cast<size_t>(size);
  posix_acl_xattr_header header{};
  std::memcpy(&header, blob.data(), sizeof header);
  if (le32toh(header.a_version) != POSIX_ACL_XATTR_VERSION) return {};
  std::vector<AclEntry> entries;
  for (size_t at = sizeof header; at + sizeof(posix_acl_xattr_entry) <= bytes;
       at += sizeof(posix_acl_xattr_entry)) {
    posix_acl_xattr_entry raw{};
    std::memcpy(&raw, blob.data() + at, sizeof raw);
    entries.push_back({le16toh(raw.e_tag), le16toh(raw.e_perm), le32toh(raw.e_id)});
  }
  return entries;
}

std::string group_name(gid_t gid) {
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
    return found->gr_name;
  return std::to_string(gid);
}

std::string user_name(uid_t uid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
    return found->pw_name;
  return std::to_string(uid);
}

std::string_view verbs(unsigned perm) {
  if ((perm & kRead) && (perm & kWrite)) return "read and write";
  return (perm & kRead) ? "read" : "write";
}

// "group adm can read", "others can read and write", … for everyone the file lets in besides
// its owner and this process's own user and group.
std::vector<std::string> outsiders(const struct stat& st, const std::vector<AclEntry>& acl) {
  unsigned mode = st.st_mode & 07777u;
  unsigned group_obj = (mode >> 3) & 07u;
  unsigned other = mode & 07u;
  std::optional<unsigned> mask;
  for (const AclEntry& entry : acl) {
    if (entry.tag == ACL_MASK) mask = entry.perm;
    if (entry.tag == ACL_GROUP_OBJ) group_obj = entry.perm;
  }
  auto effective = [&](unsigned perm) { return (mask ? perm & *mask : perm) & (kRead | kWrite); };

  std::vector<std::string> found;
  if (unsigned perm = effective(group_obj); perm != 0 && st.st_gid != ::getegid())
    found.push_back(fmt::format("group {} can {}", group_name(st.st_gid), verbs(perm)));
  for (const AclEntry& entry : acl) {
    unsigned perm = effective(entry.perm);
    if (perm == 0) continue;
    if (entry.tag == ACL_USER && entry.id != ::geteuid() && entry.id != st.st_uid)
      found.push_back(fmt::format("user {} can {} (ACL)", user_name(entry.id), verbs(perm)));
    if (entry.tag == ACL_GROUP && entry.id != ::getegid())
      found.push_back(fmt::format("group {} can {} (ACL)", group_name(entry.id), verbs(perm)));
  }
  if (unsigned perm = other & (kRead | kWrite); perm != 0)
    found.push_back(fmt::format("others can {}", verbs(perm)));
  return found;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

// Every string value "file:/path" in the config, with its dotted key: the secrets given as files.
void collect_file_secrets(const toml::table& table, const std::string& prefix,
                          std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [key, node] : table) {
    std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      collect_file_secrets(*sub, name, out);
    } else if (const toml::value<std::string>* text = node.as_string()) {
      SecretRef ref = parse_secret_ref(text->get());
      if (ref.kind == SecretRef::Kind::kFile && !ref.name.empty())
        out.emplace_back(std::move(name), std::move(ref.name));
    }
  }
}

}  // namespace

std::optional<std::string> file_permission_warning(const std::string& path,
                                                   const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;  // loading the config reports it
  std::vector<AclEntry> acl = access_acl(path);
  std::vector<std::string> who = outsiders(st, acl);
  if (who.empty()) return std::nullopt;
  bool named_entries = false;
  for (const AclEntry& entry : acl)
    named_entries |= entry.tag == ACL_USER || entry.tag == ACL_GROUP;
  std::string fix = named_entries ? fmt::format("setfacl -b {0} && chmod 600 {0}", path)
                                  : fmt::format("chmod 600 {}", path);
  return fmt::format("{} {} has mode {:04o}{}: {}; fix: {}", what, path, st.st_mode & 07777u,
                     named_entries ? " and an ACL" : "", join(who, "; "), fix);
}

std::vector<std::string> permission_warnings(const Config& config, const std::string& config_path) {
  std::vector<std::pair<std::string, std::string>> files;  // what, path
  files.emplace_back("config file", config_path);
  try {
    std::vector<std::pair<std::string, std::string>> secrets;
    collect_file_secrets(toml::parse_file(config_path), "", secrets);
    for (auto& [key, path] : secrets) files.emplace_back(key + " file", path);
  } catch (const toml::parse_error&) {
    // load_config has read this file already; if it changed since, its next start says so.
  }
  if (!config.azure.certificate.empty())
    files.emplace_back("azure.certificate file", config.azure.certificate);

  std::vector<std::string> warnings;
  std::set<std::string> seen;
  for (const auto& [what, path] : files) {
    std::error_code ignored;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ignored);
    if (!seen.insert(canonical.empty() ? path : canonical.string()).second) continue;
    if (std::optional<std::string> warning = file_permission_warning(path, what))
      warnings.push_back(std::move(*warning));
  }
  return warnings;
}

}  // namespace gd2s
