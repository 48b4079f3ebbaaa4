#include "migrate/logstash_sincedb.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gd2s::migrate {
namespace {

std::string md5_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("MD5 is not available in this OpenSSL");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::string default_sincedb_path(const std::string& data_dir, const std::string& bucket,
                                 const std::string& prefix) {
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.ends_with('/')) dir.pop_back();
  return dir + "/plugins/inputs/s3/sincedb_" + md5_hex(bucket + "+" + prefix);
}

std::optional<Timestamp> parse_ruby_time(const std::string& input) {
  std::string text = trim(input);
  // "YYYY-MM-DD HH:MM:SS[.f]" then a zone word or a ±HHMM offset, after a space.
  if (size_t space = text.rfind(' '); space != std::string::npos && space > 10) {
    std::string zone = text.substr(space + 1);
    std::string when = text.substr(0, space);
    if (zone == "UTC" || zone == "GMT" || zone == "Z") {
      text = when + "Z";
    } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-') &&
               all_digits(zone.substr(1))) {
      text = when + zone.substr(0, 3) + ":" + zone.substr(3);
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
      text = when + zone;
    } else {
      return std::nullopt;
    }
  }
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[13] != ':') return std::nullopt;
  return parse_iso8601(text);
}

std::string format_rfc3339(Timestamp t) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  auto days = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day date{days};
  std::chrono::hh_mm_ss time{seconds - days};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02lld", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()));
  std::string out = text;
  if (auto micros = (t - seconds).count(); micros != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lld", static_cast<long long>(micros));
    std::string digits = fraction;
    while (digits.ends_with('0')) digits.pop_back();
    out += digits;
  }
  return out + "Z";
}

SincedbReading read_sincedb(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  SincedbReading reading;
  reading.path = path;
  reading.text = trim(content.str());
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0)
    reading.written = Timestamp{std::chrono::seconds(info.st_mtim.tv_sec) +
                                std::chrono::microseconds(info.st_mtim.tv_nsec / 1000)};
  if (reading.text.empty()) return reading;
  reading.time = parse_ruby_time(reading.text);
  if (!reading.time)
    throw std::runtime_error(
        path + ": \"" + reading.text +
        "\" is not a time as Logstash writes it (\"2026-09-14 10:22:33 UTC\")");
  return reading;
}

}  // namespace gd2s::migrate
