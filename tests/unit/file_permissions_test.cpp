#include "app/file_permissions.h"

#include <endian.h>
#include <gtest/gtest.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace gd2s {
namespace {

constexpr const char* kSecretValue = "n0t-for-any-log-7Q";

// A config that loads (a files source, a file sink) and names a "file:" secret and a
// certificate.
std::string write_config(const test::TempDir& dir, const std::string& secret_path,
                         const std::string& certificate_path) {
  std::string path = dir.file("gd2sentinel.toml");
  test::write_file(path,
                   "[source.files]\npaths = [\"findings\"]\n\n[sink.file]\npath = \"-\"\n\n"
                   "[azure]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret = \"file:" +
                       secret_path + "\"\ncertificate = \"" + certificate_path + "\"\n");
  return path;
}

// Three files, all 0600 unless a test loosens one: the config, its secret, the certificate.
struct ConfigFiles {
  test::TempDir dir;
  std::string secret = dir.file("azure-client-secret");
  std::string certificate = dir.file("app.pem");
  std::string config;

  ConfigFiles() {
    test::write_file(secret, std::string(kSecretValue) + "\n");
    test::write_file(certificate, "-----BEGIN PRIVATE KEY-----\n");
    config = write_config(dir, secret, certificate);
    for (const std::string& path : {secret, certificate, config}) ::chmod(path.c_str(), 0600);
  }
  std::vector<std::string> warnings() const {
    return permission_warnings(load_config(config), config);
  }
};

// Some group id that is not this process's own.
gid_t another_group() {
  return ::getegid() == 54321 ? 54322 : 54321;
}

TEST(FilePermissions, SaysNothingWhenEveryFileIsTight) {
  ConfigFiles files;
  EXPECT_TRUE(files.warnings().empty());
  ::chmod(files.secret.c_str(), 0400);
  EXPECT_TRUE(files.warnings().empty());
}

TEST(FilePermissions, WarnsAboutAConfigFileOthersCanRead) {
  ConfigFiles files;
  ::chmod(files.config.c_str(), 0644);
  std::vector<std::string> warnings = files.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "config file " + files.config +
                             " has mode 0644: others can read; fix: chmod 600 " + files.config);
}

TEST(FilePermissions, WarnsAboutASecretFileItsGroupCanRead) {
  ConfigFiles files;
  ::chmod(files.secret.c_str(), 0640);
  if (::chown(files.secret.c_str(), static_cast<uid_t>(-1), another_group()) != 0)
    GTEST_SKIP() << "cannot give the file another group (not root)";
  std::vector<std::string> warnings = files.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("azure.client_secret file " + files.secret + " has mode 0640"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("can read; fix: chmod 600 " + files.secret), std::string::npos)
      << warnings[0];
}

TEST(FilePermissions, AcceptsAFileReadableByItsOwnGroup) {
  ConfigFiles files;  // root:gd2sentinel 0640, for a service that runs as group gd2sentinel
  ::chmod(files.config.c_str(), 0640);
  ASSERT_EQ(::chown(files.config.c_str(), static_cast<uid_t>(-1), ::getegid()), 0);
  EXPECT_TRUE(files.warnings().empty());
  ::chmod(files.config.c_str(), 0644);  // but never others
  EXPECT_EQ(files.warnings().size(), 1u);
}

TEST(FilePermissions, WarnsAboutWritableFilesToo) {
  ConfigFiles files;
  ::chmod(files.certificate.c_str(), 0602);
  std::vector<std::string> warnings = files.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "azure.certificate file " + files.certificate +
                             " has mode 0602: others can write; fix: chmod 600 " +
                             files.certificate);
}

TEST(FilePermissions, GivesOneWarningPerFileAndNeverItsContent) {
  ConfigFiles files;
  for (const std::string& path : {files.secret, files.certificate, files.config})
    ::chmod(path.c_str(), 0666);
  std::vector<std::string> warnings = files.warnings();
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_NE(warnings[0].find("others can read and write"), std::string::npos) << warnings[0];
  for (const std::string& warning : warnings)
    EXPECT_EQ(warning.find(kSecretValue), std::string::npos) << warning;
}

TEST(FilePermissions, SkipsFilesThatDoNotExist) {
  EXPECT_FALSE(file_permission_warning("/nonexistent/app.pem", "azure.certificate file"));
}

// Writes an access ACL the way setfacl does (linux/posix_acl_xattr.h); false when the file
// system keeps none.
bool set_acl(const std::string& path, uid_t named_user) {
  struct Entry {
    uint16_t tag, perm;
    uint32_t id;
  };
  constexpr uint32_t kNoId = static_cast<uint32_t>(ACL_UNDEFINED_ID);
  const Entry entries[] = {{ACL_USER_OBJ, ACL_READ, kNoId},
                           {ACL_USER, ACL_READ, named_user},
                           {ACL_GROUP_OBJ, 0, kNoId},
                           {ACL_MASK, ACL_READ, kNoId},
                           {ACL_OTHER, 0, kNoId}};
  std::string blob(sizeof(posix_acl_xattr_header), '\0');
  posix_acl_xattr_header header{htole32(POSIX_ACL_XATTR_VERSION)};
  std::memcpy(blob.data(), &header, sizeof header);
  for (const Entry& entry : entries) {
    posix_acl_xattr_entry raw{htole16(entry.tag), htole16(entry.perm), htole32(entry.id)};
    blob.append(reinterpret_cast<const char*>(&raw), sizeof raw);
  }
  return ::setxattr(path.c_str(), "system.posix_acl_access", blob.data(), blob.size(), 0) == 0;
}

TEST(FilePermissions, AcceptsASystemdCredentialReadableByTheServiceUserThroughAnAcl) {
  ConfigFiles files;  // systemd: 0400, root's, plus an ACL entry for the service's user
  ::chmod(files.secret.c_str(), 0400);
  // A group that is not ours, so that only the ACL (group entry ---) can clear the group bits.
  if (::chown(files.secret.c_str(), static_cast<uid_t>(-1), another_group()) != 0)
    GTEST_SKIP() << "cannot give the file another group (not root)";
  if (!set_acl(files.secret, ::geteuid())) GTEST_SKIP() << "no ACLs on this file system";
  struct stat st {};
  ASSERT_EQ(::stat(files.secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0440u);  // the mask shows in the group bits
  EXPECT_TRUE(files.warnings().empty());
}

TEST(FilePermissions, WarnsAboutAnotherUserAnAclLetsIn) {
  ConfigFiles files;
  ::chmod(files.secret.c_str(), 0400);
  uid_t someone = ::geteuid() == 54321 ? 54322 : 54321;
  if (!set_acl(files.secret, someone)) GTEST_SKIP() << "no ACLs on this file system";
  std::vector<std::string> warnings = files.warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("has mode 0440 and an ACL: user "), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("can read (ACL); fix: setfacl -b " + files.secret + " && chmod 600"),
            std::string::npos)
      << warnings[0];
}

}  // namespace
}  // namespace gd2s
